package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many attempts shipped side by side in one round: each one complete, its bytes in order. */
class LogShipperConcurrencyTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String TENANT = "acme";
    private static final int ATTEMPTS = 3 * ShipperConfig.DEFAULT_THREADS;

    @TempDir
    Path temp;

    private TestSpool spool;
    private BlobStore store;
    private ShipperConfig config;
    private LogShipper shipper;

    @BeforeEach
    void setUp() {
        spool = new TestSpool(temp.resolve("spool"));
        store = new LocalDirBlobStore(temp.resolve("blobs"));
        config = spool.shipperConfig(temp.resolve("blobs"), 50);
    }

    @AfterEach
    void tearDown() {
        if (shipper != null) {
            shipper.close();
        }
        store.close();
    }

    @Test
    void shipsManyEndedAttemptsSideBySideEachCompleteAndInOrder() {
        FlakyBlobStore held = new FlakyBlobStore(store);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < ATTEMPTS; i++) {
            String job = "job-many-" + i;
            String attemptId = spool.attempt(TENANT, job, 1);
            spool.append(attemptId, "stdout", lines(job, 1 + i % 7));
            if (i % 3 == 0) {
                spool.append(attemptId, "stderr", lines(job + " warning", 2));
            }
            spool.exit(attemptId, 0);
            jobs.add(job);
        }
        String live = spool.attempt(TENANT, "job-running", 1);
        spool.append(live, "stdout", lines("job-running", 3));
        held.holdAppendsUntilTogether(4);

        shipper = new LogShipper(config, held, Clock.systemUTC()).start();

        await("every ended attempt shipped").atMost(DEADLINE).until(() -> onlyLeft(live));
        assertThat(held.appendsWereTogether()).as("appends of several attempts in flight at once").isTrue();
        for (int i = 0; i < ATTEMPTS; i++) {
            StoredLogs logs = new StoredLogs(store, TENANT, jobs.get(i), 1);
            LogIndex index = logs.index().orElseThrow();
            assertThat(index.complete()).as(jobs.get(i)).isTrue();
            assertThat(logs.stream(LogStream.STDOUT)).isEqualTo(bytes(lines(jobs.get(i), 1 + i % 7)));
            String stderr = i % 3 == 0 ? lines(jobs.get(i) + " warning", 2) : "";
            assertThat(logs.stream(LogStream.STDERR)).isEqualTo(bytes(stderr));
            assertThat(logs.streamExists(LogStream.STDERR)).as("an empty stream has no blob").isEqualTo(!stderr.isEmpty());
            assertThat(index.streams()).containsEntry("stderr", (long) bytes(stderr).length);
            assertThat(index.streams()).containsEntry("stdout", (long) bytes(lines(jobs.get(i), 1 + i % 7)).length);
        }
        StoredLogs running = new StoredLogs(store, TENANT, "job-running", 1);
        await("the running attempt's lines").atMost(DEADLINE)
                .until(() -> new String(running.stream(LogStream.STDOUT), StandardCharsets.UTF_8)
                        .equals(lines("job-running", 3)));
        assertThat(running.complete()).isFalse();
    }

    private boolean onlyLeft(String attemptId) throws Exception {
        try (var entries = Files.list(spool.layout.root())) {
            return entries.map(p -> p.getFileName().toString()).filter(name -> !name.startsWith("."))
                    .toList().equals(List.of(attemptId));
        }
    }

    private static String lines(String prefix, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(prefix).append(" line ").append(i).append('\n');
        }
        return text.toString();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
