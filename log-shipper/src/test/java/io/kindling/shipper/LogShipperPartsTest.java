package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogLayout;
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

/** Driver logs that roll over into parts: a limit of {@value #LIMIT} blocks per part instead of 49,000. */
class LogShipperPartsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String TENANT = "acme";
    private static final int LIMIT = 3;

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
        config = spool.shipperConfig(temp.resolve("blobs"), 20);
    }

    @AfterEach
    void tearDown() {
        shippers.forEach(LogShipper::close);
        store.close();
    }

    private LogShipper startShipper(BlobStore into) {
        LogShipper shipper = new LogShipper(config, into, Clock.systemUTC(), new ShipperMetrics(), LIMIT);
        shippers.add(shipper);
        return shipper.start();
    }

    @Test
    void shipsAGrowingStreamExactlyOnceAcrossParts() {
        String attemptId = spool.attempt(TENANT, "job-parts", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-parts", 1);
        String blob = LogLayout.stream(TENANT, "job-parts", 1, LogStream.STDOUT);
        startShipper(store);

        for (int write = 0; write < 4 * LIMIT; write++) {
            spool.append(attemptId, "stdout", "write " + write + "\n");
            awaitShipped(logs, attemptId); // one append per write, so one block per write
        }

        assertThat(store.list(blob)).hasSizeGreaterThanOrEqualTo(4).startsWith(blob, blob + ".part-0001");
        for (String part : store.list(blob)) {
            assertThat(store.committedBlockCount(part)).as(part).isBetween(1L, (long) LIMIT);
        }
        long size = spool.read(attemptId, "stdout").length;
        await("index with the logical size").atMost(DEADLINE).untilAsserted(() ->
                assertThat(logs.index().orElseThrow().streams()).containsEntry("stdout", size));
        spool.exit(attemptId, 0);
        await("spool removed").atMost(DEADLINE).until(() -> !Files.exists(spool.layout.attemptDir(attemptId)));
        assertThat(logs.index().orElseThrow().streams()).containsEntry("stdout", size).containsEntry("stderr", 0L);
    }

    @Test
    void lostResponsesAndRestartsAroundTheRollOverNeitherLoseNorDoubleABit() {
        String attemptId = spool.attempt(TENANT, "job-crash", 1);
        StoredLogs logs = new StoredLogs(store, TENANT, "job-crash", 1);
        FlakyBlobStore flaky = new FlakyBlobStore(store);
        StringBuilder expected = new StringBuilder();
        LogShipper shipper = startShipper(flaky);

        for (int write = 0; write < 5 * LIMIT; write++) {
            String line = "line " + write + "\n";
            expected.append(line);
            if (write % 4 == 1) {
                flaky.loseNextAppendResponses(1); // landed, but the shipper sees a failure and retries
            } else if (write % 4 == 3) {
                flaky.failNextCalls(2);
            }
            spool.append(attemptId, "stdout", line);
            awaitShipped(logs, attemptId);
            if (write % 5 == 4) { // a crash: a new shipper that knows nothing but the store
                shipper.close();
                shipper = startShipper(flaky);
            }
        }

        assertThat(new String(logs.stream(LogStream.STDOUT), StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(flaky.injectedFailures()).isPositive();
        String blob = LogLayout.stream(TENANT, "job-crash", 1, LogStream.STDOUT);
        assertThat(store.list(blob)).hasSizeGreaterThanOrEqualTo(3);
        for (String part : store.list(blob)) {
            assertThat(store.committedBlockCount(part)).as(part).isLessThanOrEqualTo(LIMIT);
        }
        assertThat(new PartedAppendLog(store).length(blob)).isEqualTo(expected.length());
    }

    private void awaitShipped(StoredLogs logs, String attemptId) {
        byte[] expected = spool.read(attemptId, "stdout");
        await("store holds stdout of " + attemptId).atMost(DEADLINE)
                .untilAsserted(() -> assertThat(logs.stream(LogStream.STDOUT)).isEqualTo(expected));
    }
}
