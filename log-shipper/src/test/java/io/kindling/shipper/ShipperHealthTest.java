package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.management.Management;
import io.kindling.common.spool.SpoolLayout;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log-shipper's liveness (its shipping loop) and readiness (the blob store answers) in the process's registry. */
class ShipperHealthTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    private ShipperConfig config() {
        return ShipperConfig.fromEnv(java.util.Map.of("KINDLING_HOME", temp.toString(),
                "KINDLING_SHIPPER_POLL_MILLIS", "50"));
    }

    @Test
    void theShippingLoopKilledMakesTheShipperNotLive() {
        TestSpool spool = new TestSpool(temp.resolve("spool"));
        String attemptId = spool.attempt("acme", "job-health", 1);
        spool.append(attemptId, "stdout", "0123456789");
        try (Management management = Management.inMemory();
             LocalDirBlobStore store = new LocalDirBlobStore(temp.resolve("blobs"));
             ShipperComponent shipper = ShipperComponent.start(config(), store, management)) {
            await().atMost(WAIT).until(() -> management.health().ready().ok());
            await().atMost(WAIT).untilAsserted(() -> assertThat(management.scrape())
                    .contains("kindling_shipper_shipped_bytes_total 10.0")
                    .contains("kindling_shipper_lag_bytes 0.0")
                    .contains("kindling_shipper_attempts 1.0"));

            management.health().loopNamed("log-shipper").orElseThrow().kill();

            await().atMost(WAIT).until(() -> !management.health().live().ok());
            assertThat(management.health().live().checks()).containsEntry("log-shipper", false);
        }
    }

    @Test
    void aBlobStoreThatDoesNotAnswerMakesTheShipperNotReady() {
        try (Management management = Management.inMemory();
             LocalDirBlobStore local = new LocalDirBlobStore(temp.resolve("blobs"))) {
            FlakyBlobStore store = new FlakyBlobStore(local);
            store.failNextCalls(Integer.MAX_VALUE);
            try (ShipperComponent shipper = ShipperComponent.start(config(), store, management)) {
                await().atMost(WAIT).until(() -> store.injectedFailures() > 0
                        && !management.health().ready().checks().getOrDefault("log-shipper.blob-store", true));
                assertThat(management.health().ready().ok()).isFalse();
                assertThat(management.health().live().ok()).as("a store outage is not a dead loop").isTrue();

                store.failNextCalls(0);
                await().atMost(WAIT).until(() -> management.health().ready().ok());
            }
        }
    }
}
