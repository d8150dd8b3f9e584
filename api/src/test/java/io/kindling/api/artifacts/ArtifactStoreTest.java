package io.kindling.api.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.artifacts.ArtifactRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
    @TempDir
    Path dir;

    private Path file(byte[] content) throws Exception {
        Path file = Files.createTempFile(dir, "upload", ".bin");
        Files.write(file, content);
        return file;
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    @Test
    void storesInChunksUnderTheContentHashAndOnlyOnce() throws Exception {
        byte[] content = random(10_000);
        try (BlobStore blobs = new LocalDirBlobStore(dir.resolve("blobs"))) {
            ArtifactStore store = new ArtifactStore(blobs, 1024);
            ArtifactStore.Stored stored = store.store("acme", "app.zip", file(content));
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            assertThat(stored.ref()).isEqualTo(new ArtifactRef("acme", sha, "app.zip"));
            assertThat(stored.created()).isTrue();
            assertThat(stored.size()).isEqualTo(content.length);
            assertThat(blobs.get("artifacts/acme/" + sha + "/app.zip")).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));

            assertThat(store.store("acme", "app.zip", file(content)).created()).isFalse();
        }
    }

    @Test
    void aPartlyStoredBlobIsCompletedFromWhereItEnds() throws Exception {
        byte[] content = random(5000);
        try (BlobStore blobs = new LocalDirBlobStore(dir.resolve("blobs"))) {
            ArtifactStore store = new ArtifactStore(blobs, 1024);
            String sha = ArtifactStore.sha256(file(content));
            String path = new ArtifactRef("acme", sha, "a.jar").blobPath();
            blobs.append(path, 0, content, 0, 1500); // an upload that stopped half-way
            ArtifactStore.Stored stored = store.store("acme", "a.jar", file(content));
            assertThat(stored.created()).isTrue();
            assertThat(blobs.get(path)).hasValueSatisfying(b -> assertThat(b).isEqualTo(content));
        }
    }

    @Test
    void smallFilesAreWrittenWhole() throws Exception {
        try (BlobStore blobs = new LocalDirBlobStore(dir.resolve("blobs"))) {
            ArtifactStore.Stored stored = new ArtifactStore(blobs).store("default", "pi.py", file(new byte[] {42}));
            assertThat(blobs.get(stored.ref().blobPath())).hasValueSatisfying(b -> assertThat(b).containsExactly(42));
        }
    }
}
