package io.kindling.api;

import static io.kindling.api.ApiHarness.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/watch/jobs} (watchJobs) against a real broker; the test writes the events topic:
 * a change of a job of the caller's tenant reaches its stream, another tenant's job never does,
 * an admin sees both, and the streams count against the per-principal stream limit.
 */
@ExtendWith(KafkaTestExtension.class)
class WatchJobsIT {
    private static final String ACME = "acme";
    private static final String GLOBEX = "globex";
    private static final TestTokens TOKENS = new TestTokens()
            .add("acme-reader", List.of(ACME), List.of("read"))
            .add("globex-reader", List.of(GLOBEX), List.of("read"))
            .add("admin", List.of("default"), List.of("admin"));
    private static ApiHarness h;

    @BeforeAll
    static void start(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        h = ApiHarness.start(kafka, blobDir, Map.of("KINDLING_MAX_STREAMS_PER_PRINCIPAL", "2"), TOKENS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void aChangeOfTheCallersTenantReachesItsStreamAndAnotherTenantsJobNever() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ours = "watch-acme-" + run;
        String theirs = "watch-globex-" + run;
        try (Watch acme = watch("acme-reader", ""); Watch admin = watch("admin", "")) {
            await().atMost(DEADLINE).until(() -> h.api.server().views().viewWatchers() == 2);

            Instant t = Instant.now();
            h.publish(JobEvents.job(theirs, JobState.QUEUED, t).spec(spec(GLOBEX)).submittedAt(t).build());
            await().atMost(DEADLINE).until(() -> h.api.server().views().find(theirs).isPresent());
            await().atMost(DEADLINE).until(() -> admin.views().stream().anyMatch(v -> v.get("id").asText().equals(theirs)));

            h.publish(JobEvents.job(ours, JobState.QUEUED, t).spec(spec(ACME)).submittedAt(t).build());
            RunAssignment running = RunAssignment.of(ours, 1, spec(ACME), t);
            h.publish(JobEvents.attempt(running, JobState.RUNNING, t.plusSeconds(1)).build());
            await().atMost(DEADLINE).until(() -> acme.states(ours).contains("RUNNING"));

            assertThat(acme.states(ours)).containsExactly("QUEUED", "RUNNING");
            assertThat(acme.views()).allSatisfy(v -> assertThat(v.get("tenant").asText()).isEqualTo(ACME));
            assertThat(acme.views()).noneMatch(v -> v.get("id").asText().equals(theirs));
            assertThat(String.join("\n", acme.received)).doesNotContain(theirs);
            JsonNode last = acme.views().get(acme.views().size() - 1);
            assertThat(last.get("attempts")).hasSize(1);
            assertThat(acme.received).contains("event: job");
            assertThat(acme.response.headers().firstValue("Content-Type")).hasValue("text/event-stream");

            await().atMost(DEADLINE).until(() -> admin.states(ours).contains("RUNNING"));
            assertThat(admin.states(theirs)).containsExactly("QUEUED");
        }
        await().atMost(DEADLINE).until(() -> h.api.server().views().viewWatchers() == 0);
    }

    @Test
    void aTenantThatIsNotTheCallersIsForbiddenAndStreamsAreLimited() throws Exception {
        HttpResponse<String> forbidden = h.send(request("acme-reader", "?tenant=" + GLOBEX));
        ApiHarness.assertError(forbidden, 403, "FORBIDDEN");

        try (Watch one = watch("globex-reader", "?tenant=" + GLOBEX); Watch two = watch("globex-reader", "")) {
            await().atMost(DEADLINE).until(() -> one.received.size() > 0 && two.received.size() > 0);
            HttpResponse<String> third = h.send(request("globex-reader", ""));
            ApiHarness.assertError(third, 429, "RATE_LIMITED");
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
        }
        // a closed stream gives its slot back
        await().atMost(DEADLINE).until(() -> h.api.server().views().viewWatchers() == 0);
        try (Watch again = watch("globex-reader", "")) {
            assertThat(again.response.statusCode()).isEqualTo(200);
        }
    }

    // ---- helpers

    private static JobSpec spec(String tenant) {
        return ApiHarness.spec(null, Map.of()).withTenant(tenant);
    }

    private static HttpRequest.Builder request(String token, String query) {
        return HttpRequest.newBuilder(URI.create(h.base + "/v1/watch/jobs" + query))
                .header("Accept", "text/event-stream")
                .header("Authorization", TOKENS.get(token).bearer());
    }

    /** A stream being read: its lines so far. */
    record Watch(HttpResponse<Stream<String>> response, List<String> received, CompletableFuture<Void> done)
            implements AutoCloseable {
        List<JsonNode> views() {
            List<JsonNode> views = new ArrayList<>();
            for (String line : List.copyOf(received)) {
                if (line.startsWith("data: ")) {
                    try {
                        views.add(Json.mapper().readTree(line.substring(6)));
                    } catch (java.io.IOException e) {
                        throw new AssertionError("not JSON: " + line, e);
                    }
                }
            }
            return views;
        }

        List<String> states(String id) {
            return views().stream().filter(v -> v.get("id").asText().equals(id)).map(v -> v.get("state").asText()).toList();
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    private static Watch watch(String token, String query) throws Exception {
        HttpResponse<Stream<String>> response = h.http.send(request(token, query).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> received = new CopyOnWriteArrayList<>();
        Stream<String> lines = response.body();
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> lines.forEach(received::add));
        return new Watch(response, received, done);
    }
}
