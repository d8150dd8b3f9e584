package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.logs.LogStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShipperComponentTest {

    @TempDir
    Path temp;

    @Test
    void startsFromTheEnvironmentAndShipsUntilClosed() {
        TestSpool spool = new TestSpool(temp.resolve("spool"));
        String attemptId = spool.attempt("acme", "job-env", 1);
        spool.append(attemptId, "stdout", "from the component\n");
        spool.exit(attemptId, 0);

        ShipperComponent component = ShipperComponent.start(Map.of(
                "KINDLING_HOME", temp.toString(),
                "KINDLING_SHIPPER_POLL_MILLIS", "50"));
        try {
            await("spool removed").atMost(Duration.ofSeconds(20))
                    .until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        } finally {
            component.close();
        }

        try (LocalDirBlobStore store = new LocalDirBlobStore(temp.resolve("blobs"))) {
            StoredLogs logs = new StoredLogs(store, "acme", "job-env", 1);
            assertThat(logs.complete()).isTrue();
            assertThat(new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8)).isEqualTo("from the component\n");
        }
    }
}
