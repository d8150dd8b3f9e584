package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolUsageTest {
    @TempDir
    Path spool;

    @Test
    void aSpoolPastItsWarningSizeIsReportedOnceAndShownAsAMetric() throws IOException {
        ShipperMetrics metrics = new ShipperMetrics();
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
            assertThat(metrics.prometheus()).contains("kindling_shipper_spool_bytes 120\n")
                    .contains("kindling_shipper_spool_full 1\n");
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
    void theHealthServerServesLivenessReadinessAndPrometheusMetrics() throws Exception {
        ShipperMetrics metrics = new ShipperMetrics();
        metrics.shipped(42);
        metrics.storeFailed();
        AtomicBoolean ready = new AtomicBoolean(false);
        try (HealthServer server = HealthServer.start("127.0.0.1", 0, metrics, ready::get)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            assertThat(status(http, base + "/health/live")).isEqualTo(200);
            assertThat(status(http, base + "/health/ready")).isEqualTo(503);
            ready.set(true);
            assertThat(status(http, base + "/health/ready")).isEqualTo(200);
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                    .startsWith("text/plain; version=0.0.4"));
            assertThat(scrape.body()).contains("# TYPE kindling_shipper_bytes_shipped_total counter\n")
                    .contains("kindling_shipper_bytes_shipped_total 42\n")
                    .contains("kindling_shipper_store_failures_total 1\n");
        }
    }

    private static int status(HttpClient http, String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
