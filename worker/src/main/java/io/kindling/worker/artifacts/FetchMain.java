package io.kindling.worker.artifacts;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.blobstore.BlobStores;
import io.kindling.common.artifacts.ArtifactRef;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The init step of a driver pod: {@code FetchMain <dest dir> <artifact uri>...} fetches each
 * artifact (its SHA-256 checked) into {@code <dest dir>/<sha256>/<name>}, with the blob store
 * settings from the environment ({@link BlobStoreConfig#fromEnv}, in the pod from the pool's
 * {@code blobStoreSecret}). Exits 0 when all are there, 1 with a message naming the artifact
 * otherwise, 2 on a usage error. The worker checked each URI against the job's tenant already.
 */
public final class FetchMain {
    private FetchMain() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(Arrays.asList(args), System.getenv(), System.out, System.err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("interrupted while fetching artifacts");
            code = 1;
        }
        System.exit(code);
    }

    /** Fetches {@code args.subList(1, ..)} into {@code args.get(0)}; the process exit code. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        if (args.size() < 2) {
            err.println("usage: FetchMain <dest dir> <artifact uri>...");
            return 2;
        }
        Path dest = Path.of(args.get(0));
        BlobStoreConfig config;
        try {
            config = BlobStoreConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            err.println("cannot fetch artifacts: invalid blob store settings: " + e.getMessage());
            return 1;
        }
        out.println("fetching " + (args.size() - 1) + " artifact(s) from " + config.describe() + " into " + dest);
        try (BlobStore blobs = BlobStores.open(config)) {
            ArtifactFetcher fetcher = new ArtifactFetcher(blobs, dest);
            for (String uri : args.subList(1, args.size())) {
                ArtifactRef ref;
                try {
                    ref = ArtifactRef.parse(uri);
                } catch (IllegalArgumentException e) {
                    err.println("artifact URI '" + ArtifactFetcher.printable(uri) + "' is invalid: " + e.getMessage());
                    return 1;
                }
                Path path = fetcher.fetch(uri, ref.tenant());
                out.println("fetched " + ref.uri() + " to " + path);
            }
            return 0;
        } catch (ArtifactException e) {
            err.println(e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            err.println("cannot fetch artifacts: " + e);
            return 1;
        }
    }
}
