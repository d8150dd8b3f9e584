package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.tracing.Tracing;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: one trace joins the caller (the Airflow operator's {@code traceparent}), the api,
 * the dispatcher, the worker and the driver's environment. The whole stack runs in this JVM on the
 * shared Kafka broker with a real spark-submit, every component exporting to one in-memory exporter.
 */
@ExtendWith(SharedAzurite.class)
class TracingIT {
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(4);
    private static final Pattern DRIVER_TRACEPARENT = Pattern.compile("(?m)^TRACEPARENT=00-([0-9a-f]{32})-([0-9a-f]{16})-01$");

    @TempDir
    Path home;

    @Test
    void oneTraceFromTheCallerThroughApiDispatcherAndWorkerToTheDriversEnvironment(AzuriteFixture azurite)
            throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        Path script = Path.of(TracingIT.class.getResource("/tracing/print_traceparent.py").toURI());
        Map<String, String> extra = Map.of("KINDLING_WORKER_LOCAL_PATHS", script.getParent().toString());
        try (E2eStack e2e = E2eStack.start("tracing", home, azurite, extra, Tracing.exportingTo(spans, "kindling-e2e"))) {
            HexFormat hex = HexFormat.of();
            String traceId = hex.formatHex(random(16));
            String callerSpan = hex.formatHex(random(8));
            // what the Airflow operator sends on every call of a task try (airflow/src/kindling_provider/tracing.py)
            String traceparent = "00-" + traceId + "-" + callerSpan + "-01";

            HttpResponse<String> submitted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + e2e.apiPort() + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", e2e.client().authorization())
                    .header("traceparent", traceparent)
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"name": "traced", "application": {"type": "python", "file": "%s"}}
                            """.formatted(script.toUri()))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).as("POST /v1/jobs: %s", submitted.body()).isEqualTo(202);
            String id = Json.mapper().readTree(submitted.body()).get("id").asText();

            JobView view = e2e.client().awaitTerminal(id, JOB_DEADLINE);
            assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);

            // the driver printed the trace context it was launched with
            String stdout = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> e2e.client().log(id, "stdout"), out -> DRIVER_TRACEPARENT.matcher(out).find());
            Matcher driver = DRIVER_TRACEPARENT.matcher(stdout);
            assertThat(driver.find()).isTrue();

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(names(spans.getFinishedSpanItems()))
                    .contains("submitJob", "command", "dispatch", "launch"));
            List<SpanData> finished = spans.getFinishedSpanItems();
            SpanData api = only(finished, "submitJob", id);
            SpanData command = only(finished, "command", id);
            SpanData dispatch = only(finished, "dispatch", id);
            SpanData launch = only(finished, "launch", id);

            assertThat(List.of(api, command, dispatch, launch)).allSatisfy(span ->
                    assertThat(span.getTraceId()).as("%s's trace", span.getName()).isEqualTo(traceId));
            assertThat(api.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(api.getInstrumentationScopeInfo().getName()).isEqualTo("io.kindling.api");
            assertThat(api.getParentSpanId()).as("the api's span is the caller's child").isEqualTo(callerSpan);
            assertThat(api.getAttributes().asMap().toString()).contains("http.response.status_code=202");
            assertThat(command.getInstrumentationScopeInfo().getName()).isEqualTo("io.kindling.dispatcher");
            assertThat(command.getParentSpanId()).as("the dispatcher's command span").isEqualTo(api.getSpanId());
            assertThat(dispatch.getParentSpanId()).as("dispatch, after the queue").isEqualTo(command.getSpanId());
            assertThat(launch.getInstrumentationScopeInfo().getName()).isEqualTo("io.kindling.worker");
            assertThat(launch.getParentSpanId()).as("the worker's launch").isEqualTo(dispatch.getSpanId());
            assertThat(driver.group(1)).as("the driver's TRACEPARENT trace id").isEqualTo(traceId);
            assertThat(driver.group(2)).as("the driver's parent span: the launch").isEqualTo(launch.getSpanId());
        }
    }

    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        do {
            ThreadLocalRandom.current().nextBytes(b);
        } while (java.util.Arrays.equals(b, new byte[bytes]));
        return b;
    }

    private static List<String> names(List<SpanData> spans) {
        return spans.stream().map(SpanData::getName).toList();
    }

    /** The one span named {@code name} about job {@code jobId}. */
    private static SpanData only(List<SpanData> spans, String name, String jobId) {
        List<SpanData> found = spans.stream().filter(s -> s.getName().equals(name))
                .filter(s -> jobId.equals(s.getAttributes().asMap().entrySet().stream()
                        .filter(e -> e.getKey().getKey().equals("kindling.job.id")).map(e -> String.valueOf(e.getValue()))
                        .findFirst().orElse(null)))
                .toList();
        assertThat(found).as("%s spans of job %s among %s", name, jobId, names(spans)).hasSize(1);
        return found.getFirst();
    }
}
