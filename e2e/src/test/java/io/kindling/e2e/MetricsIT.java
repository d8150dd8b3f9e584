package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: one job through the embedded stack (as {@code ./kindling up} runs it), then the one
 * metrics URL answers Prometheus text in which that job's counters moved, from every component.
 */
@ExtendWith(SharedAzurite.class)
class MetricsIT {
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(4);

    @TempDir
    Path home;

    @Test
    void aJobMovesTheCountersOfEveryComponentOnTheOneMetricsUrl(AzuriteFixture azurite) throws Exception {
        try (E2eStack e2e = E2eStack.start("metrics", home, azurite, Map.of())) {
            KindlingClient client = e2e.client();
            HttpClient http = HttpClient.newHttpClient();
            String management = e2e.managementUrl();
            assertThat(get(http, management + "/health/live").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(http, management + "/health/ready").statusCode() == 200);

            Path file = ProjectTools.projectDir().resolve("examples").resolve("pi.py");
            String id = client.submit("""
                    {"name": "pi", "application": {"type": "python", "file": "%s", "args": ["2"]},
                     "conf": {"spark.ui.enabled": "false"}}
                    """.formatted(file.toUri()));
            JobView view = client.awaitTerminal(id, JOB_DEADLINE);
            assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> scrape = get(http, management + "/metrics");
                assertThat(scrape.statusCode()).isEqualTo(200);
                assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
                String text = scrape.body();
                assertThat(text)
                        // api
                        .contains("kindling_http_server_requests_seconds_count{method=\"POST\",operation=\"submitJob\","
                                + "outcome=\"SUCCESS\",status=\"202\"} 1")
                        // dispatcher
                        .contains("kindling_jobs_submitted_total{pool=\"default\",tenant=\"default\"} 1.0")
                        .contains("kindling_jobs_finished_total{pool=\"default\",state=\"SUCCEEDED\",tenant=\"default\"} 1.0")
                        .contains("kindling_attempts_ended_total{pool=\"default\",reason=\"none\",result=\"SUCCEEDED\"} 1.0")
                        .contains("kindling_dispatch_latency_seconds_count{pool=\"default\"} 1")
                        // worker
                        .contains("kindling_worker_attempts_started_total{pool=\"default\"} 1.0")
                        .contains("kindling_worker_attempts_ended_total{pool=\"default\",reason=\"none\",state=\"SUCCEEDED\"} 1.0")
                        // Kafka clients and the JVM
                        .contains("kafka_producer_record_send_total")
                        .contains("jvm_memory_used_bytes");
                assertThat(value(text, "kindling_shipper_shipped_bytes_total")).as("bytes shipped").isPositive();
            });

            // the same endpoint says when a component's loop has died: the dispatcher's, here
            e2e.management().health().loopNamed("dispatcher").orElseThrow().kill();
            await().atMost(Duration.ofSeconds(30)).dontCatchUncaughtExceptions().untilAsserted(() -> {
                HttpResponse<String> live = get(http, management + "/health/live");
                assertThat(live.statusCode()).isEqualTo(503);
                assertThat(live.body()).contains("\"dispatcher\":\"DOWN\"").contains("\"worker.default\":\"UP\"");
            });
        }
    }

    private static double value(String text, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(text);
        assertThat(m.find()).as("%s in the scrape", sample).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
