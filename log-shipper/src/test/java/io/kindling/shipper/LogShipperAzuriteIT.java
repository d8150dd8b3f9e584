package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.blobstore.AzureBlobStore;
import io.kindling.blobstore.AzureBlobStoreConfig;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The shipper against the real Azure Storage API (Azurite) through {@link AzureBlobStore}. */
@ExtendWith(SharedAzurite.class)
class LogShipperAzuriteIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String TENANT = "acme";

    @TempDir
    Path temp;

    private final AzuriteFixture azurite;
    private TestSpool spool;
    private BlobStore store;
    private ShipperConfig config;

    LogShipperAzuriteIT(AzuriteFixture azurite) {
        this.azurite = azurite;
    }

    @BeforeEach
    void setUp() {
        spool = new TestSpool(temp.resolve("spool"));
        AzureBlobStoreConfig azure = AzureBlobStoreConfig.of(azurite.connectionString(), "log-shipper-it");
        store = new AzureBlobStore(azure);
        config = new ShipperConfig(new SpoolLayout(spool.layout.root()), Duration.ofMillis(100), false,
                Duration.ofMillis(100), Duration.ofSeconds(1), BlobStoreConfig.azure(azure));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void shipsAGrowingAttemptAndCompletesIt() {
        String jobId = "job-azure-" + System.nanoTime();
        String attemptId = spool.attempt(TENANT, jobId, 1);
        StoredLogs logs = new StoredLogs(store, TENANT, jobId, 1);
        byte[] eventLog = randomBytes(BlobStore.MAX_APPEND_BYTES + 777, 13);
        String appId = "app-" + System.nanoTime();

        LogShipper shipper = new LogShipper(config, store, Clock.systemUTC()).start();
        try {
            StringBuilder written = new StringBuilder();
            for (int write = 0; write < 5; write++) {
                String lines = "write " + write + " line a\nwrite " + write + " line b\n";
                spool.append(attemptId, "stdout", lines);
                written.append(lines);
                String expected = written.toString();
                await("write " + write + " in Azurite").atMost(DEADLINE).until(
                        () -> new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8).equals(expected));
            }
            byte[] bigStderr = randomBytes(2 * AttemptShipper.STREAM_CHUNK_BYTES + 5, 17);
            spool.append(attemptId, "stderr", bigStderr);
            spool.eventLog(attemptId, appId, eventLog);
            spool.exit(attemptId, 0);

            await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
            assertThat(logs.stream(LogStream.STDERR)).isEqualTo(bigStderr);
            assertThat(new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8)).isEqualTo(written.toString());
            LogIndex index = logs.index().orElseThrow();
            assertThat(index.complete()).isTrue();
            assertThat(index.streams()).containsEntry("stdout", (long) written.length())
                    .containsEntry("stderr", (long) bigStderr.length);
            assertThat(index.eventLogs()).containsExactly(LogLayout.eventLog(TENANT, appId));
            assertThat(logs.blob(LogLayout.eventLog(TENANT, appId))).isEqualTo(eventLog);
        } finally {
            shipper.close();
        }
    }

    @Test
    void resumesAfterAPartialAppendWithoutDuplicates() {
        String jobId = "job-azure-resume-" + System.nanoTime();
        String attemptId = spool.attempt(TENANT, jobId, 1);
        StoredLogs logs = new StoredLogs(store, TENANT, jobId, 1);
        byte[] output = randomBytes(AttemptShipper.STREAM_CHUNK_BYTES + 4242, 19);
        spool.append(attemptId, "stdout", output);
        store.append(LogLayout.stream(TENANT, jobId, 1, LogStream.STDOUT), 0, output, 0, 100_001);
        spool.exit(attemptId, 0);

        LogShipper shipper = new LogShipper(config, store, Clock.systemUTC()).start();
        try {
            await("complete index").atMost(DEADLINE).until(logs::complete);
        } finally {
            shipper.close();
        }
        assertThat(logs.stream(LogStream.STDOUT)).isEqualTo(output);
        assertThat(logs.streamExists(LogStream.STDERR)).as("an empty stream has no blob").isFalse();
        assertThat(logs.index().orElseThrow().streams()).containsEntry("stderr", 0L);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
