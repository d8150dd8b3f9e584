package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.kindling.common.management.Management;
import io.kindling.common.spool.FreeAttemptDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolUsageTest {
    @TempDir
    Path spool;

    @Test
    void aSpoolPastItsWarningSizeIsReportedOnceAndShownAsAMetric() throws IOException {
        Management management = Management.inMemory();
        ShipperMetrics metrics = new ShipperMetrics(management.registry());
        SpoolUsage usage = new SpoolUsage(spool, 100, metrics);
        Files.createDirectories(spool.resolve("job-a1"));
        Files.write(spool.resolve("job-a1/stdout"), new byte[60]);

        try (CapturedLogs logs = CapturedLogs.of(SpoolUsage.class.getName())) {
            assertThat(usage.measure()).isEqualTo(60);
            assertThat(metrics.spoolFull()).isFalse();

            Files.write(spool.resolve("job-a1/stderr"), new byte[60]);
            usage.measure();
            usage.measure();
            assertThat(metrics.spoolFull()).isTrue();
            assertThat(management.scrape()).contains("kindling_shipper_spool_bytes 120.0\n")
                    .contains("kindling_shipper_spool_full 1.0\n");
            assertThat(logs.events()).filteredOn(e -> e.getLevel() == Level.ERROR).hasSize(1)
                    .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("KINDLING_SHIPPER_SPOOL_WARN_BYTES=100"));

            Files.delete(spool.resolve("job-a1/stderr"));
            usage.measure();
            assertThat(metrics.spoolFull()).isFalse();
            // nothing in the spool was touched: the shipper never truncates
            assertThat(Files.size(spool.resolve("job-a1/stdout"))).isEqualTo(60);
        }
    }

    @Test
    void theDirectoriesKeptForNewAttemptsAreNotCounted() throws IOException {
        Files.createDirectories(spool.resolve("job-a1"));
        Files.write(spool.resolve("job-a1/stdout"), new byte[60]);
        Path kept = Files.createDirectories(spool.resolve(FreeAttemptDirs.DIR).resolve(".removing-job-a0"));
        Files.write(kept.resolve(".attempt.json.tmp"), new byte[500]);

        assertThat(SpoolUsage.size(spool)).isEqualTo(60);
    }

    @Test
    void aRoundMeasuresTheSpoolAtMostOnceAnInterval() throws IOException {
        ShipperMetrics metrics = new ShipperMetrics(Management.inMemory().registry());
        SpoolUsage usage = new SpoolUsage(spool, 100, metrics);
        Files.createDirectories(spool.resolve("job-a1/eventlog"));
        Files.write(spool.resolve("job-a1/eventlog/app-1"), new byte[150]);

        usage.measureIfDue(1_000);
        assertThat(metrics.spoolFull()).isTrue();
        Files.delete(spool.resolve("job-a1/eventlog/app-1"));
        usage.measureIfDue(1_000 + SpoolUsage.INTERVAL.toMillis() - 1);
        assertThat(metrics.spoolFull()).isTrue();
        usage.measureIfDue(1_000 + SpoolUsage.INTERVAL.toMillis());
        assertThat(metrics.spoolFull()).isFalse();
    }

    @Test
    void noSpoolDirectoryMeasuresNothing() throws IOException {
        assertThat(SpoolUsage.size(spool.resolve("not-yet"))).isZero();
    }

    @Test
    void shippedBytesAndStoreFailuresAreCountersInPrometheusText() {
        Management management = Management.inMemory();
        ShipperMetrics metrics = new ShipperMetrics(management.registry());
        metrics.shipped(42);
        metrics.storeFailed();
        assertThat(management.scrape()).contains("# TYPE kindling_shipper_shipped_bytes_total counter\n")
                .contains("kindling_shipper_shipped_bytes_total 42.0\n")
                .contains("kindling_shipper_store_failures_total 1.0\n");
    }
}
