package io.kindling.api;

import static io.kindling.api.ApiHarness.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The abuse limits through the real api: each answers with its clear error. */
@ExtendWith(KafkaTestExtension.class)
class ApiLimitsIT {
    private static ApiHarness h;

    @BeforeAll
    static void start(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        h = ApiHarness.start(kafka, blobDir, Map.of(
                "KINDLING_SUBMIT_RATE_PER_SECOND", "2",
                "KINDLING_MAX_STREAMS_PER_PRINCIPAL", "1",
                "KINDLING_MAX_TAIL_LINES", "10"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void submissionsOverThePrincipalsRateAre429WithRetryAfter() throws Exception {
        String body = "{\"application\": {\"type\": \"python\", \"file\": \"/apps/pi.py\"}}";
        HttpResponse<String> refused = null;
        int accepted = 0;
        for (int i = 0; i < 20 && refused == null; i++) {
            HttpResponse<String> r = h.post("/v1/jobs", body, Map.of());
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
                accepted++;
            }
        }
        assertThat(refused).as("a 429 within 20 quick submissions at 2 per second").isNotNull();
        assertThat(accepted).isGreaterThanOrEqualTo(2);
        assertError(refused, 429, "RATE_LIMITED");
        assertThat(refused.body()).contains("KINDLING_SUBMIT_RATE_PER_SECOND");
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
    }

    @Test
    void aSecondStreamOfOnePrincipalIs429UntilTheFirstCloses() throws Exception {
        String id = "limits-" + UUID.randomUUID().toString().substring(0, 8);
        Instant t = Instant.now();
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(ApiHarness.spec(null, Map.of())).submittedAt(t).build());
        await().atMost(ApiHarness.DEADLINE).until(() -> h.state(id).equals("QUEUED"));

        HttpRequest events = h.authorized(HttpRequest.newBuilder(URI.create(h.base + "/v1/jobs/" + id + "/events"))
                .header("Accept", "text/event-stream").timeout(ApiHarness.DEADLINE).GET().build());
        HttpResponse<Stream<String>> first = h.http.send(events, HttpResponse.BodyHandlers.ofLines());
        assertThat(first.statusCode()).isEqualTo(200);

        HttpResponse<String> second = h.get("/v1/jobs/" + id + "/logs/stdout?follow=true");
        assertError(second, 429, "RATE_LIMITED");
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
        assertThat(second.body()).contains("already has 1");
        // a plain (not following) read is not a stream
        assertThat(h.get("/v1/jobs/" + id + "/logs/stdout").statusCode()).isNotEqualTo(429);

        first.body().close();
        await().atMost(ApiHarness.DEADLINE).untilAsserted(() -> {
            HttpResponse<Stream<String>> again = h.http.send(events, HttpResponse.BodyHandlers.ofLines());
            try {
                assertThat(again.statusCode()).isEqualTo(200);
            } finally {
                again.body().close();
            }
        });
    }

    @Test
    void aTailAboveTheMaximumIs400NamingTheLimit() throws Exception {
        HttpResponse<String> r = h.get("/v1/jobs/any-job/logs/stdout?tail=11");
        assertError(r, 400, "INVALID_PARAMETER");
        assertThat(r.body()).contains("KINDLING_MAX_TAIL_LINES");
    }
}
