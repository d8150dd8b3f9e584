package io.kindling.worker.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.artifacts.ArtifactRef;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactFetcherTest {
    private static final byte[] CODE = "print('Pi is roughly 3.14')\n".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private BlobStore blobs;
    private Path cache;
    private ArtifactFetcher fetcher;

    @BeforeEach
    void setUp() {
        blobs = new LocalDirBlobStore(dir.resolve("blobs"));
        cache = dir.resolve("home/artifacts");
        fetcher = new ArtifactFetcher(blobs, cache);
    }

    @AfterEach
    void tearDown() {
        blobs.close();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private ArtifactRef upload(String tenant, String name, byte[] content) throws Exception {
        ArtifactRef ref = new ArtifactRef(tenant, sha256(content), name);
        blobs.put(ref.blobPath(), content);
        return ref;
    }

    @Test
    void fetchesIntoTheCacheByHashAndReusesIt() throws Exception {
        ArtifactRef ref = upload("acme", "pi.py", CODE);
        Path local = fetcher.fetch(ref.uri(), "acme");
        assertThat(local).isEqualTo(cache.resolve(ref.sha256()).resolve("pi.py")).hasBinaryContent(CODE);

        blobs.put(ref.blobPath(), "changed behind our back".getBytes(StandardCharsets.UTF_8));
        assertThat(fetcher.fetch(ref.uri(), "acme")).isEqualTo(local).hasBinaryContent(CODE); // a cache hit
        try (Stream<Path> files = Files.list(local.getParent())) {
            assertThat(files.toList()).containsExactly(local); // no temporary file left
        }
    }

    @Test
    void aWorkersCacheKeepsTenantsApartAndReplacesATamperedFile() throws Exception {
        ArtifactFetcher worker = ArtifactFetcher.perTenant(blobs, cache);
        ArtifactRef acme = upload("acme", "pi.py", CODE);
        ArtifactRef globex = upload("globex", "pi.py", CODE);
        Path acmeLocal = worker.fetch(acme.uri(), "acme");
        Path globexLocal = worker.fetch(globex.uri(), "globex");
        assertThat(acmeLocal).isEqualTo(cache.resolve("acme").resolve(acme.sha256()).resolve("pi.py"));
        assertThat(globexLocal).isEqualTo(cache.resolve("globex").resolve(globex.sha256()).resolve("pi.py"))
                .isNotEqualTo(acmeLocal);

        Files.writeString(acmeLocal, "import os; os.system('steal')"); // a client-mode driver of acme writes it
        assertThat(worker.fetch(acme.uri(), "acme")).isEqualTo(acmeLocal).hasBinaryContent(CODE);
        assertThat(globexLocal).hasBinaryContent(CODE);
    }

    @Test
    void aHashMismatchIsRefusedAndNothingIsCached() throws Exception {
        ArtifactRef ref = new ArtifactRef("acme", sha256(CODE), "pi.py");
        blobs.put(ref.blobPath(), "not the uploaded code".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> fetcher.fetch(ref.uri(), "acme"))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining(ref.uri())
                .hasMessageContaining("does not match its hash");
        try (Stream<Path> files = Files.list(cache.resolve(ref.sha256()))) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aMissingArtifactIsRefusedNamingItsUri() throws Exception {
        String uri = new ArtifactRef("acme", sha256(CODE), "pi.py").uri();
        assertThatThrownBy(() -> fetcher.fetch(uri, "acme"))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining(uri)
                .hasMessageContaining("not found");
    }

    @Test
    void anotherTenantsArtifactIsRefused() throws Exception {
        ArtifactRef ref = upload("acme", "pi.py", CODE);
        assertThatThrownBy(() -> fetcher.fetch(ref.uri(), "globex"))
                .isInstanceOf(ArtifactException.class)
                .hasMessageContaining(ref.uri())
                .hasMessageContaining("tenant");
        assertThat(cache).doesNotExist();
    }

    @Test
    void traversalAndMalformedUrisAreRefused() throws Exception {
        String sha = sha256(CODE);
        for (String uri : List.of("artifact://../../etc/passwd", "artifact://acme/" + sha + "/../../../etc/passwd",
                "artifact://acme/../" + sha + "/x.py", "artifact://acme/" + sha + "/a/b.py", "artifact://acme/xyz/pi.py")) {
            assertThatThrownBy(() -> fetcher.fetch(uri, "acme")).as(uri).isInstanceOf(ArtifactException.class)
                    .hasMessageContaining("invalid");
        }
        assertThat(cache).doesNotExist();
    }

    @Test
    void concurrentFetchesOfOneArtifactAllGetTheVerifiedFile() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        ArtifactRef ref = upload("acme", "lib.zip", big);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Path>> fetches = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fetches.add(() -> new ArtifactFetcher(blobs, cache).fetch(ref.uri(), "acme"));
            }
            for (Future<Path> f : pool.invokeAll(fetches)) {
                assertThat(f.get()).hasBinaryContent(big);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Stream<Path> files = Files.list(cache.resolve(ref.sha256()))) {
            assertThat(files.toList()).containsExactly(cache.resolve(ref.sha256()).resolve("lib.zip"));
        }
    }

    @Test
    void theResolverRewritesEveryArtifactListAndKeepsOtherValuesAndAliases() throws Exception {
        ArtifactRef main = upload("acme", "main.py", CODE);
        ArtifactRef deps = upload("acme", "deps.zip", new byte[] {1, 2});
        ArtifactRef jar = upload("acme", "udf.jar", new byte[] {3});
        JobSpec spec = new JobSpec("job", null, new Application(ApplicationType.PYTHON, main.uri(), null, List.of("1")),
                null, null, Map.of("tenant", "acme"), List.of(deps.uri(), "hdfs:///x.zip"), List.of(jar.uri()),
                List.of(), List.of(deps.uri() + "#env"), null, null, null, null, null).withTenant("acme");
        RunAssignment run = RunAssignment.of("job-1", 1, spec, Instant.parse("2025-01-01T00:00:00Z"));

        RunAssignment resolved = new ArtifactResolver(fetcher).resolve(run);
        String depsLocal = cache.resolve(deps.sha256()).resolve("deps.zip").toString();
        assertThat(resolved.spec().application().file()).isEqualTo(cache.resolve(main.sha256()).resolve("main.py").toString());
        assertThat(resolved.spec().application().args()).containsExactly("1");
        assertThat(resolved.spec().pyFiles()).containsExactly(depsLocal, "hdfs:///x.zip");
        assertThat(resolved.spec().jars()).containsExactly(cache.resolve(jar.sha256()).resolve("udf.jar").toString());
        assertThat(resolved.spec().archives()).containsExactly(depsLocal + "#env");
        assertThat(resolved.attemptId()).isEqualTo(run.attemptId());
    }

    @Test
    void aRunWithoutArtifactsIsLeftAsItIsAndAWorkerWithoutABlobStoreRefusesArtifacts() throws Exception {
        JobSpec plain = new JobSpec("job", null, new Application(ApplicationType.PYTHON, "/apps/pi.py", null, null),
                null, null, null, null, null, null, null, null, null, null, null, null);
        RunAssignment run = RunAssignment.of("job-2", 1, plain, Instant.parse("2025-01-01T00:00:00Z"));
        assertThat(new ArtifactResolver(ArtifactFetcher.none()).resolve(run)).isSameAs(run);

        ArtifactRef ref = upload("default", "pi.py", CODE);
        assertThatThrownBy(() -> ArtifactFetcher.none().fetch(ref.uri(), "default"))
                .isInstanceOf(ArtifactException.class).hasMessageContaining("no blob store");
    }
}
