package io.kindling.api;

import static io.kindling.api.ApiHarness.DEADLINE;
import static io.kindling.api.ApiHarness.assertError;
import static io.kindling.api.ApiHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/** Listing jobs and watching a job's events, against a real broker; the test writes the events topic. */
@ExtendWith(KafkaTestExtension.class)
class ApiListAndEventsIT {
    private static ApiHarness h;

    @BeforeAll
    static void start(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        h = ApiHarness.start(kafka, blobDir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void listsWithFiltersAPageAtATimeNewestFirst() throws Exception {
        String run = UUID.randomUUID().toString();
        String pool = "p" + run.substring(0, 8);
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String id = "list-" + i + "-" + run;
            ids.add(id);
            JobSpec spec = ApiHarness.spec(i < 5 ? pool : pool + "-gpu", Map.of("run", run, "team", i % 2 == 0 ? "data" : "web"));
            h.publish(JobEvents.job(id, JobState.QUEUED, t0.plusSeconds(i)).spec(spec).submittedAt(t0.plusSeconds(i)).build());
        }
        RunAssignment running = RunAssignment.of(ids.get(0), 1, ApiHarness.spec(pool, Map.of()), t0);
        h.publish(JobEvents.attempt(running, JobState.RUNNING, t0.plusSeconds(60)).build());
        String byRun = "label=" + enc("run=" + run);
        await().atMost(DEADLINE).until(() -> list("?" + byRun + "&state=RUNNING").size() == 1);

        assertThat(list("?" + byRun)).extracting(v -> v.get("id").asText())
                .containsExactly(ids.get(6), ids.get(5), ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));

        // three pages of at most 3
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = json(h.get("/v1/jobs?" + byRun + "&limit=3" + (cursor == null ? "" : "&cursor=" + cursor)));
            page.get("items").forEach(v -> paged.add(v.get("id").asText()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).containsExactlyElementsOf(ids.reversed());

        assertThat(ids(list("?" + byRun + "&pool=" + pool + "&state=QUEUED,RUNNING&label=team%3Ddata")))
                .containsExactly(ids.get(4), ids.get(2), ids.get(0));
        assertThat(ids(list("?" + byRun + "&state=RUNNING&state=SUCCEEDED"))).containsExactly(ids.get(0));
        assertThat(ids(list("?" + byRun + "&submittedAfter=" + enc(t0.plusSeconds(1).toString())
                + "&submittedBefore=" + enc("2026-06-01T02:00:05+02:00")))).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        assertThat(list("?" + byRun + "&label=team%3Dnobody")).isEmpty();

        // queue positions within the pool: jobs 1..4 are queued, oldest first
        List<JsonNode> queued = list("?" + byRun + "&pool=" + pool + "&state=QUEUED");
        assertThat(queued).extracting(v -> v.get("queuePosition").asInt()).containsExactly(4, 3, 2, 1);
        assertThat(json(h.get("/v1/jobs/" + ids.get(1))).get("queuePosition").asInt()).isEqualTo(1);
        assertThat(json(h.get("/v1/jobs/" + ids.get(0))).has("queuePosition")).isFalse();
    }

    @Test
    void badListParametersAreNamed() throws Exception {
        for (String[] bad : new String[][] {{"state=SLEEPING", "state"}, {"limit=0", "limit"}, {"limit=501", "limit"},
                {"cursor=zzz", "cursor"}, {"submittedAfter=yesterday", "submittedAfter"}, {"label=team", "label"}}) {
            HttpResponse<String> response = h.get("/v1/jobs?" + bad[0]);
            assertError(response, 400, "INVALID_PARAMETER");
            assertThat(json(response).get("details").get(0).get("field").asText()).isEqualTo(bad[1]);
        }
    }

    @Test
    void streamsReplayThenLiveEventsAndEndsAfterTheTerminalOne() throws Exception {
        String id = "sse-" + UUID.randomUUID();
        Instant t = Instant.now();
        RunAssignment run = RunAssignment.of(id, 1, ApiHarness.spec(null, Map.of()), t);
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(run.spec()).submittedAt(t).build());
        h.publish(JobEvents.attempt(run, JobState.DISPATCHED, t.plusMillis(1)).build());
        await().atMost(DEADLINE).until(() -> h.state(id).equals("DISPATCHED"));

        Watch watch = watch(id, null);
        assertThat(watch.response.statusCode()).isEqualTo(200);
        assertThat(watch.response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        await().atMost(DEADLINE).until(() -> watch.events().size() == 2);
        assertThat(watch.done).isNotDone();

        h.publish(JobEvents.attempt(run, JobState.RUNNING, t.plusMillis(2)).sparkAppId("app-1").build());
        h.publish(JobEvents.attempt(run, JobState.SUCCEEDED, t.plusMillis(3)).exitCode(0).build());
        watch.done.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

        List<Sse> events = watch.events();
        assertThat(events).extracting(Sse::id).containsExactly("0", "1", "2", "3");
        assertThat(events).extracting(Sse::event).containsExactly("QUEUED", "DISPATCHED", "RUNNING", "SUCCEEDED");
        JobEvent running = Json.decode(events.get(2).data().getBytes(StandardCharsets.UTF_8), JobEvent.class);
        assertThat(running.jobId()).isEqualTo(id);
        assertThat(running.sparkAppId()).isEqualTo("app-1");

        // resuming replays what comes after the last id seen; after the end there is nothing (204)
        Watch resumed = watch(id, "1");
        resumed.done.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(resumed.events()).extracting(Sse::event).containsExactly("RUNNING", "SUCCEEDED");
        assertThat(watch(id, "3").response.statusCode()).isEqualTo(204);
        assertError(h.get("/v1/jobs/no-such-job/events"), 404, "NOT_FOUND");
        await().atMost(DEADLINE).until(() -> h.api.server().views().watchedJobs() == 0);
    }

    @Test
    void aClientThatGoesAwayIsForgotten() throws Exception {
        String id = "sse-gone-" + UUID.randomUUID();
        Instant t = Instant.now();
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(ApiHarness.spec(null, Map.of())).submittedAt(t).build());
        await().atMost(DEADLINE).until(() -> h.state(id).equals("QUEUED"));

        Watch watch = watch(id, null);
        await().atMost(DEADLINE).until(() -> watch.events().size() == 1);
        assertThat(h.api.server().views().watchedJobs()).isEqualTo(1);
        watch.lines.close();
        await().atMost(DEADLINE).until(() -> h.api.server().views().watchedJobs() == 0);
    }

    // ---- helpers

    /** One server-sent event. */
    record Sse(String id, String event, String data) {
    }

    /** A stream being read: its lines so far, and a future that completes when the server ends it. */
    record Watch(HttpResponse<Stream<String>> response, Stream<String> lines, List<String> received,
            CompletableFuture<Void> done) {
        List<Sse> events() {
            List<Sse> events = new ArrayList<>();
            String id = null;
            String event = null;
            for (String line : List.copyOf(received)) {
                if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    events.add(new Sse(id, event, line.substring(6)));
                }
            }
            return events;
        }
    }

    private static Watch watch(String id, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(h.base + "/v1/jobs/" + id + "/events"))
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = h.http.send(h.authorized(request.build()), HttpResponse.BodyHandlers.ofLines());
        List<String> received = new CopyOnWriteArrayList<>();
        Stream<String> lines = response.body();
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> lines.forEach(received::add));
        return new Watch(response, lines, received, done);
    }

    private static List<JsonNode> list(String query) throws Exception {
        HttpResponse<String> response = h.get("/v1/jobs" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        json(response).get("items").forEach(items::add);
        return items;
    }

    private static List<String> ids(List<JsonNode> views) {
        return views.stream().map(v -> v.get("id").asText()).toList();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
