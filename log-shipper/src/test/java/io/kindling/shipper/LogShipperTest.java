package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.common.spool.FreeAttemptDirs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogShipperTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String TENANT = "acme";

    @TempDir
    Path temp;

    private TestSpool spool;
    private BlobStore store;
    private ShipperConfig config;
    private final List<LogShipper> shippers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        spool = new TestSpool(temp.resolve("spool"));
        store = new LocalDirBlobStore(temp.resolve("blobs"));
        config = spool.shipperConfig(temp.resolve("blobs"), 50);
    }

    @AfterEach
    void tearDown() {
        shippers.forEach(LogShipper::close);
        store.close();
    }

    private LogShipper startShipper(ShipperConfig shipperConfig, BlobStore into) {
        LogShipper shipper = new LogShipper(shipperConfig, into, Clock.systemUTC());
        shippers.add(shipper);
        return shipper.start();
    }

    private LogShipper startShipper() {
        return startShipper(config, store);
    }

    private void awaitShipped(StoredLogs logs, String attemptId, LogStream stream) {
        byte[] expected = spool.read(attemptId, stream.fileName());
        await("store holds " + stream + " of " + attemptId).atMost(DEADLINE)
                .untilAsserted(() -> assertThat(logs.stream(stream)).isEqualTo(expected));
    }

    @Test
    void shipsAGrowingStreamExactlyOnceAndInOrder() {
        String attemptId = spool.attempt(TENANT, "job-grow", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-grow", 1);
        startShipper();

        for (int write = 0; write < 6; write++) {
            StringBuilder lines = new StringBuilder();
            for (int line = 0; line < 50; line++) {
                lines.append("write ").append(write).append(" line ").append(line).append('\n');
            }
            spool.append(attemptId, "stdout", lines.toString());
            spool.append(attemptId, "stderr", "warning " + write + "\n");
            if (write % 2 == 1) {
                awaitShipped(logs, attemptId, LogStream.STDOUT);
            }
        }
        spool.append(attemptId, "stdout", "half a line without a newline");

        awaitShipped(logs, attemptId, LogStream.STDOUT);
        awaitShipped(logs, attemptId, LogStream.STDERR);
        long stdoutSize = spool.read(attemptId, "stdout").length;
        await("index with the sizes").atMost(DEADLINE).untilAsserted(() -> assertThat(logs.index()).hasValueSatisfying(
                index -> {
                    assertThat(index.streams()).containsEntry("stdout", stdoutSize);
                    assertThat(index.attemptId()).isEqualTo(attemptId);
                    assertThat(index.complete()).isFalse();
                }));
        assertThat(Files.isDirectory(spool.layout.attemptDir(attemptId))).isTrue();
    }

    @Test
    void shipsANewLineWithinASecondAtTheDefaultPollInterval() {
        ShipperConfig defaults = ShipperConfig.fromEnv(Map.of(
                "KINDLING_SPOOL_DIR", spool.layout.root().toString(),
                "KINDLING_BLOB_DIR", temp.resolve("blobs").toString()));
        assertThat(defaults.pollInterval()).isEqualTo(Duration.ofMillis(200));
        String attemptId = spool.attempt(TENANT, "job-latency", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-latency", 1);
        startShipper(defaults, store);
        spool.append(attemptId, "stdout", "first\n");
        awaitShipped(logs, attemptId, LogStream.STDOUT);

        spool.append(attemptId, "stdout", "second\n");

        await("the new line in the store").atMost(Duration.ofSeconds(1))
                .until(() -> new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8).equals("first\nsecond\n"));
    }

    @Test
    void aRestartedShipperContinuesWithoutDuplicates() {
        String attemptId = spool.attempt(TENANT, "job-restart", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-restart", 1);
        LogShipper first = startShipper();
        spool.append(attemptId, "stdout", "before the crash\n");
        awaitShipped(logs, attemptId, LogStream.STDOUT);
        first.close();

        spool.append(attemptId, "stdout", "while no shipper runs\n");
        startShipper();
        spool.append(attemptId, "stdout", "after the restart\n");

        awaitShipped(logs, attemptId, LogStream.STDOUT);
        assertThat(new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8))
                .isEqualTo("before the crash\nwhile no shipper runs\nafter the restart\n");
    }

    @Test
    void resumesAtTheExactByteAfterAPartialEarlierAppend() {
        String attemptId = spool.attempt(TENANT, "job-partial", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-partial", 1);
        byte[] output = randomBytes(3 * 1024 * 1024 + 4321, 7);
        spool.append(attemptId, "stdout", output);
        int alreadyShipped = 1_234_567; // what a killed shipper got into the store, not on a chunk boundary
        store.append(LogLayout.stream(TENANT, "job-partial", 1, LogStream.STDOUT), 0, output, 0, alreadyShipped);

        startShipper();

        awaitShipped(logs, attemptId, LogStream.STDOUT);
        assertThat(logs.stream(LogStream.STDOUT)).hasSize(output.length);
    }

    @Test
    void completionWritesTheIndexThenRemovesTheSpool() throws Exception {
        String attemptId = spool.attempt(TENANT, "job-done", 2);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-done", 2);
        spool.append(attemptId, "stdout", "Pi is roughly 3.14\n");
        byte[] eventLog = "{\"Event\":\"SparkListenerLogStart\"}\n".getBytes(StandardCharsets.UTF_8);
        spool.eventLog(attemptId, "local-1700000000000", eventLog);
        spool.exit(attemptId, 0);

        startShipper();

        await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        LogIndex index = logs.index().orElseThrow();
        assertThat(index.complete()).isTrue();
        assertThat(index.jobId()).isEqualTo("job-done");
        assertThat(index.attempt()).isEqualTo(2);
        assertThat(index.attemptId()).isEqualTo(attemptId);
        assertThat(index.streams()).isEqualTo(Map.of("stdout", 19L, "stderr", 0L));
        assertThat(index.eventLogs()).containsExactly("eventlogs/acme/local-1700000000000");
        assertThat(index.updatedAt()).isNotNull();
        assertThat(new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8)).isEqualTo("Pi is roughly 3.14\n");
        assertThat(logs.streamExists(LogStream.STDERR)).as("an empty stream has no blob (the index says 0)").isFalse();
        assertThat(logs.blob("eventlogs/acme/local-1700000000000")).isEqualTo(eventLog);
        // the directory is kept for a new attempt, holding nothing of this one
        try (var entries = Files.list(spool.layout.root())) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly(FreeAttemptDirs.DIR);
        }
        List<Path> kept;
        try (var walk = Files.walk(spool.layout.root().resolve(FreeAttemptDirs.DIR), 2)) {
            kept = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(kept).map(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(".attempt.json.tmp", ".exit.json.tmp");
        assertThat(kept).allSatisfy(file -> assertThat(Files.readAllBytes(file)).isNotEmpty().containsOnly((byte) 0));
    }

    @Test
    void keepsTheSpoolWhenConfiguredTo() {
        String attemptId = spool.attempt(TENANT, "job-keep", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-keep", 1);
        spool.append(attemptId, "stderr", "oops\n");
        spool.exit(attemptId, 1);

        startShipper(config.withKeepSpool(true), store);

        await("complete index").atMost(DEADLINE).until(logs::complete);
        assertThat(logs.index().orElseThrow().streams()).isEqualTo(Map.of("stdout", 0L, "stderr", 5L));
        assertThat(spool.layout.attemptDir(attemptId)).isDirectory();
        assertThat(spool.layout.stream(attemptId, "stderr")).hasContent("oops");
    }

    @Test
    void uploadsEventLogsOnceTheDriverHasEnded() {
        String attemptId = spool.attempt(TENANT, "job-events", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-events", 1);
        byte[] events = randomBytes(BlobStore.MAX_APPEND_BYTES + 12_345, 11);
        spool.eventLog(attemptId, "app-20250101-0001.inprogress", events);
        spool.append(attemptId, "stdout", "running\n");
        startShipper();
        awaitShipped(logs, attemptId, LogStream.STDOUT);
        await("index while running").atMost(DEADLINE).until(() -> logs.index().isPresent());
        assertThat(store.list("eventlogs/")).as("no event log while the driver runs").isEmpty();

        spool.finishEventLog(attemptId, "app-20250101-0001");
        spool.exit(attemptId, 0);

        await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        assertThat(store.list("eventlogs/")).containsExactly("eventlogs/acme/app-20250101-0001");
        assertThat(logs.blob("eventlogs/acme/app-20250101-0001")).isEqualTo(events);
        assertThat(logs.index().orElseThrow().eventLogs()).containsExactly("eventlogs/acme/app-20250101-0001");
    }

    @Test
    void uploadsARollingEventLogKeepingItsPathsAndItsEmptyStatusFile() {
        String attemptId = spool.attempt(TENANT, "job-rolling", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-rolling", 1);
        byte[] events = randomBytes(1000, 3);
        spool.eventLog(attemptId, "eventlog_v2_local-1/events_1_local-1.zstd", events);
        spool.eventLog(attemptId, "eventlog_v2_local-1/appstatus_local-1", new byte[0]);
        spool.exit(attemptId, 0);

        startShipper();

        await("complete index").atMost(DEADLINE).until(logs::complete);
        assertThat(logs.index().orElseThrow().eventLogs()).containsExactly(
                "eventlogs/acme/eventlog_v2_local-1/appstatus_local-1",
                "eventlogs/acme/eventlog_v2_local-1/events_1_local-1.zstd");
        assertThat(store.read("eventlogs/acme/eventlog_v2_local-1/appstatus_local-1", 0, 10)).as("empty, but there")
                .hasValueSatisfying(read -> assertThat(read.bytes()).isEmpty());
        assertThat(logs.blob("eventlogs/acme/eventlog_v2_local-1/events_1_local-1.zstd")).isEqualTo(events);
    }

    @Test
    void uploadsAnInProgressEventLogWhenTheDriverEndedWithoutRenamingIt() {
        String attemptId = spool.attempt(TENANT, "job-killed", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-killed", 1);
        byte[] events = "{\"Event\":\"SparkListenerApplicationStart\"}\n".getBytes(StandardCharsets.UTF_8);
        spool.eventLog(attemptId, "local-1.inprogress", events);
        spool.exit(attemptId, 137);

        startShipper();

        await("complete index").atMost(DEADLINE).until(logs::complete);
        assertThat(logs.index().orElseThrow().eventLogs()).containsExactly("eventlogs/acme/local-1.inprogress");
        assertThat(logs.blob("eventlogs/acme/local-1.inprogress")).isEqualTo(events);
    }

    @Test
    void writesTheMissingIndexOfAnAttemptShippedBeforeACrash() {
        String attemptId = spool.attempt(TENANT, "job-noindex", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-noindex", 1);
        byte[] output = "all of it\n".getBytes(StandardCharsets.UTF_8);
        spool.append(attemptId, "stdout", output);
        spool.exit(attemptId, 0);
        store.append(LogLayout.stream(TENANT, "job-noindex", 1, LogStream.STDOUT), 0, output, 0, output.length);
        assertThat(logs.index()).isEmpty();

        startShipper();

        await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        assertThat(logs.complete()).isTrue();
        assertThat(logs.stream(LogStream.STDOUT)).isEqualTo(output);
    }

    @Test
    void aFailingStoreIsRetriedWithoutLoss() {
        FlakyBlobStore flaky = new FlakyBlobStore(store);
        String attemptId = spool.attempt(TENANT, "job-flaky", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-flaky", 1);
        flaky.failNextCalls(5);
        startShipper(config, flaky);
        for (int i = 0; i < 20; i++) {
            spool.append(attemptId, "stdout", "line " + i + "\n");
        }
        awaitShipped(logs, attemptId, LogStream.STDOUT);
        assertThat(flaky.injectedFailures()).isEqualTo(5);

        flaky.failNextCalls(3);
        spool.append(attemptId, "stdout", "last line\n");
        spool.exit(attemptId, 0);

        await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        assertThat(flaky.injectedFailures()).isEqualTo(8);
        assertThat(logs.complete()).isTrue();
        assertThat(new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8))
                .startsWith("line 0\nline 1\n").endsWith("line 19\nlast line\n")
                .hasLineCount(21);
    }

    @Test
    void anAppendWhoseResponseWasLostIsNotDoubled() {
        FlakyBlobStore flaky = new FlakyBlobStore(store);
        String attemptId = spool.attempt(TENANT, "job-lost", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-lost", 1);
        byte[] output = randomBytes(2 * AttemptShipper.STREAM_CHUNK_BYTES + 99, 3);
        spool.append(attemptId, "stdout", output);
        flaky.loseNextAppendResponses(3);

        startShipper(config, flaky);

        awaitShipped(logs, attemptId, LogStream.STDOUT);
        assertThat(flaky.injectedFailures()).isEqualTo(3);
        assertThat(logs.stream(LogStream.STDOUT)).hasSize(output.length);
    }

    @Test
    void twoShippersOnOneSpoolNeverDoubleAByte() {
        String attemptId = spool.attempt(TENANT, "job-two", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-two", 1);
        startShipper();
        startShipper();
        for (int i = 0; i < 200; i++) {
            spool.append(attemptId, "stdout", "line " + i + "\n");
        }
        byte[] big = randomBytes(3 * AttemptShipper.STREAM_CHUNK_BYTES, 5);
        spool.append(attemptId, "stderr", big);
        spool.exit(attemptId, 0);

        await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        assertThat(logs.stream(LogStream.STDOUT)).isEqualTo(expectedLines(200));
        assertThat(logs.stream(LogStream.STDERR)).isEqualTo(big);
        assertThat(logs.complete()).isTrue();
    }

    @Test
    void everyLineAboutAnAttemptCarriesItsJobIdAndAttempt() {
        CapturedLogs captured = CapturedLogs.of("io.kindling.shipper");
        try (captured) {
            FlakyBlobStore flaky = new FlakyBlobStore(store);
            String attemptId = spool.attempt(TENANT, "job-mdc", 3);
            spool.append(attemptId, "stdout", "hello\n");
            spool.exit(attemptId, 0);
            flaky.failNextCalls(2);
            flaky.loseNextAppendResponses(1);

            startShipper(config, flaky);

            await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        }
        List<ILoggingEvent> aboutTheAttempt = captured.events().stream()
                .filter(event -> event.getFormattedMessage().contains("job-mdc"))
                .toList();
        assertThat(aboutTheAttempt).extracting(ILoggingEvent::getLevel).contains(Level.DEBUG, Level.WARN);
        assertThat(aboutTheAttempt).allSatisfy(event -> assertThat(event.getMDCPropertyMap())
                .containsEntry("jobId", "job-mdc").containsEntry("attempt", "3"));
    }

    private static byte[] expectedLines(int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("line ").append(i).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** One attempt's shipper, its rounds run one by one by the test. */
    private AttemptShipper attemptShipper(String attemptId) {
        ShipperMetrics metrics = new ShipperMetrics();
        BlobCopier copier = new BlobCopier(store, new PartedAppendLog(store), LogShipper.MAX_BYTES_PER_COPY, metrics);
        return new AttemptShipper(attemptId, config.spool(), new SpoolDirs(config.spool(), config.keptDirs()), store, copier,
                Clock.systemUTC(), config, metrics);
    }

    private List<String> stored(String jobId) {
        return store.list(LogLayout.attemptPrefix(TENANT, jobId, 1));
    }

    @Test
    void aRunningAttemptThatPrintedNothingHasNoIndexUntilItPrints() {
        String attemptId = spool.attempt(TENANT, "job-quiet", 1);
        AttemptShipper attempt = attemptShipper(attemptId);

        attempt.round();
        assertThat(stored("job-quiet")).as("nothing stored, no index").isEmpty();
        assertThat(attempt.live()).isTrue();

        spool.append(attemptId, "stderr", "starting\n");
        attempt.round();
        LogIndex index = new StoredLogs(store, TENANT, "job-quiet", 1).index().orElseThrow();
        assertThat(index.streams()).isEqualTo(Map.of("stdout", 0L, "stderr", 9L));
        assertThat(index.complete()).isFalse();
        assertThat(stored("job-quiet")).containsExactly(LogLayout.index(TENANT, "job-quiet", 1),
                LogLayout.stream(TENANT, "job-quiet", 1, LogStream.STDERR));
    }

    @Test
    void anEndedAttemptWithNoOutputIsOneCompleteIndexAndNoStreamBlobs() {
        String attemptId = spool.attempt(TENANT, "job-noop", 1);
        spool.exit(attemptId, 0);
        AttemptShipper attempt = attemptShipper(attemptId);

        attempt.round();

        assertThat(attempt.finished()).isTrue();
        assertThat(stored("job-noop")).containsExactly(LogLayout.index(TENANT, "job-noop", 1));
        LogIndex index = new StoredLogs(store, TENANT, "job-noop", 1).index().orElseThrow();
        assertThat(index.complete()).isTrue();
        assertThat(index.streams()).isEqualTo(Map.of("stdout", 0L, "stderr", 0L));
        assertThat(Files.exists(spool.layout.attemptDir(attemptId))).as("spool removed").isFalse();
    }
}
