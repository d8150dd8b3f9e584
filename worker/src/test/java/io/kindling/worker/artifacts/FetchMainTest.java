package io.kindling.worker.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.artifacts.ArtifactRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver pod's init step, against a local-directory blob store named by its environment. */
class FetchMainTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Map<String, String> env() {
        return Map.of("KINDLING_BLOB_STORE", "local", "KINDLING_BLOB_DIR", dir.resolve("blobs").toString());
    }

    private ArtifactRef upload(String name, byte[] stored, byte[] hashed) throws Exception {
        ArtifactRef ref = new ArtifactRef("analytics", HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(hashed)), name);
        try (LocalDirBlobStore blobs = new LocalDirBlobStore(dir.resolve("blobs"))) {
            blobs.put(ref.blobPath(), stored);
        }
        return ref;
    }

    private int run(String... args) throws Exception {
        return FetchMain.run(List.of(args), env(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void fetches_each_artifact_into_its_hash_directory() throws Exception {
        byte[] app = "print('hi')\n".getBytes(StandardCharsets.UTF_8);
        byte[] lib = "def f(): pass\n".getBytes(StandardCharsets.UTF_8);
        ArtifactRef a = upload("etl.py", app, app);
        ArtifactRef b = upload("lib.py", lib, lib);
        Path dest = dir.resolve("kindling/artifacts");

        assertThat(run(dest.toString(), a.uri(), b.uri())).isZero();

        assertThat(dest.resolve(a.sha256()).resolve("etl.py")).hasBinaryContent(app);
        assertThat(dest.resolve(b.sha256()).resolve("lib.py")).hasBinaryContent(lib);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void content_that_does_not_match_its_hash_fails_naming_the_artifact() throws Exception {
        ArtifactRef ref = upload("etl.py", "tampered".getBytes(StandardCharsets.UTF_8),
                "original".getBytes(StandardCharsets.UTF_8));
        Path dest = dir.resolve("dest");

        assertThat(run(dest.toString(), ref.uri())).isEqualTo(1);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains(ref.uri()).contains("does not match its hash");
        assertThat(dest.resolve(ref.sha256()).resolve("etl.py")).doesNotExist();
    }

    @Test
    void a_missing_artifact_and_bad_arguments_fail_with_a_message() throws Exception {
        String missing = "artifact://analytics/" + "b".repeat(64) + "/gone.py";
        assertThat(run(dir.resolve("d").toString(), missing)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not found in the blob store");

        assertThat(run(dir.resolve("d").toString(), "https://example.com/x.py")).isEqualTo(1);
        assertThat(run(dir.resolve("d").toString())).isEqualTo(2);
        assertThat(FetchMain.run(List.of("d", missing), Map.of("KINDLING_BLOB_STORE", "s3"), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("KINDLING_BLOB_STORE");
    }
}
