package io.kindling.api;

import static io.kindling.api.ApiHarness.DEADLINE;
import static io.kindling.api.ApiHarness.assertError;
import static io.kindling.api.ApiHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.api.http.IdempotencyKeys;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.schemas.SubmitJob;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Cancel and idempotent submission, against a real broker; the test plays the dispatcher's part on the events topic. */
@ExtendWith(KafkaTestExtension.class)
class ApiLifecycleIT {
    private static final String BODY = """
            {"name": "pi", "application": {"type": "python", "file": "/apps/pi.py", "args": ["%s"]},
             "tenant": "acme"}
            """;

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
    void cancelPublishesACancelCommandAndIsANoOpOnceTheJobHasEnded() throws Exception {
        String id = "job-" + UUID.randomUUID();
        Instant t = Instant.now();
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(ApiHarness.spec(null, Map.of())).submittedAt(t).build());
        await().atMost(DEADLINE).until(() -> h.state(id).equals("QUEUED"));

        HttpResponse<String> accepted = h.post("/v1/jobs/" + id + "/cancel", "{\"reason\": \"not needed\"}", Map.of());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(json(accepted).get("id").asText()).isEqualTo(id);
        assertThat(json(accepted).get("state").asText()).isEqualTo("QUEUED");
        List<JobCommand> commands = h.commands(id);
        assertThat(commands).singleElement().isInstanceOfSatisfying(CancelJob.class, cancel -> {
            assertThat(cancel.reason()).isEqualTo("not needed");
            assertThat(cancel.requestedAt()).isAfterOrEqualTo(t);
        });

        // the dispatcher cancels it
        h.publish(JobEvents.job(id, JobState.CANCELLED, t.plusSeconds(1)).reason(FailureReason.CANCELLED)
                .message("not needed").build());
        await().atMost(DEADLINE).until(() -> h.state(id).equals("CANCELLED"));

        HttpResponse<String> noOp = h.post("/v1/jobs/" + id + "/cancel", null, Map.of());
        assertThat(noOp.statusCode()).as(noOp.body()).isEqualTo(200);
        assertThat(json(noOp).get("state").asText()).isEqualTo("CANCELLED");
        assertThat(json(noOp).get("reason").asText()).isEqualTo("CANCELLED");
        assertThat(h.commands(id)).hasSize(1);
    }

    @Test
    void cancelRefusesUnknownJobsAndBadBodies() throws Exception {
        assertError(h.post("/v1/jobs/no-such-job/cancel", null, Map.of()), 404, "NOT_FOUND");
        assertError(h.post("/v1/jobs/Not_An_Id/cancel", null, Map.of()), 400, "INVALID_PARAMETER");

        String id = "job-" + UUID.randomUUID();
        Instant t = Instant.now();
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(ApiHarness.spec(null, Map.of())).submittedAt(t).build());
        await().atMost(DEADLINE).until(() -> h.state(id).equals("QUEUED"));
        assertError(h.post("/v1/jobs/" + id + "/cancel", "{\"why\": \"x\"}", Map.of()), 400, "UNKNOWN_FIELD");
        assertError(h.post("/v1/jobs/" + id + "/cancel", "{\"reason\": ", Map.of()), 400, "MALFORMED_JSON");
        assertThat(h.commands(id)).isEmpty();
    }

    @Test
    void theSameKeyNamesTheSameJobBeforeAndAfterItsFirstEventAndAcrossRestarts() throws Exception {
        String key = "nightly-" + UUID.randomUUID();
        Map<String, String> header = Map.of("Idempotency-Key", key);

        HttpResponse<String> first = h.post("/v1/jobs", BODY.formatted("10"), header);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        String id = json(first).get("id").asText();
        assertThat(id).isEqualTo(IdempotencyKeys.jobId("acme", key)).startsWith("k").hasSize(26);
        assertThat(first.headers().firstValue("Kindling-Idempotent-Replay")).isEmpty();

        // again before the job's first event: the api's own record of the submission answers
        assertReplay(h.post("/v1/jobs", BODY.formatted("10"), header), id);
        assertConflict(h.post("/v1/jobs", BODY.formatted("11"), header), key);

        // the dispatcher queues the job (with the spec it was sent); again after that event
        SubmitJob submit = (SubmitJob) h.commands(id).get(0);
        Instant queuedAt = submit.submittedAt().plusSeconds(1);
        h.publish(JobEvents.job(id, JobState.QUEUED, queuedAt).spec(submit.spec())
                .submittedAt(submit.submittedAt()).build());
        await().atMost(DEADLINE).until(() -> h.api.server().views().get(id)
                .map(v -> v.updatedAt().equals(queuedAt)).orElse(false));
        assertReplay(h.post("/v1/jobs", BODY.formatted("10"), header), id);
        // the key in the body is the same key
        String inBody = BODY.formatted("10").replace("\"name\": \"pi\"", "\"name\": \"pi\", \"idempotencyKey\": \"" + key + "\"");
        assertReplay(h.post("/v1/jobs", inBody, Map.of()), id);
        assertConflict(h.post("/v1/jobs", BODY.formatted("11"), header), key);

        assertThat(h.commands(id)).singleElement().isInstanceOf(SubmitJob.class);

        // a new api instance rebuilds what it knows from the events topic
        try (ApiComponent restarted = ApiComponent.start(h.env, h.vertx)) {
            await().atMost(DEADLINE).until(() -> restarted.server().ready());
            String other = "http://127.0.0.1:" + restarted.port();
            assertReplay(h.send(HttpRequest.newBuilder(URI.create(other + "/v1/jobs"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(BODY.formatted("10")))), id);
            assertConflict(h.send(HttpRequest.newBuilder(URI.create(other + "/v1/jobs"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(BODY.formatted("11")))), key);
        }
        assertThat(h.commands(id)).hasSize(1);
    }

    @Test
    void keysAreScopedByTenant() throws Exception {
        String key = "shared-" + UUID.randomUUID();
        HttpResponse<String> acme = h.post("/v1/jobs", BODY.formatted("1"), Map.of("Idempotency-Key", key));
        HttpResponse<String> other = h.post("/v1/jobs", BODY.formatted("1").replace("acme", "other"),
                Map.of("Idempotency-Key", key));
        assertThat(acme.statusCode()).isEqualTo(202);
        assertThat(other.statusCode()).isEqualTo(202);
        assertThat(json(acme).get("id").asText()).isNotEqualTo(json(other).get("id").asText());
    }

    private static void assertReplay(HttpResponse<String> response, String id) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Kindling-Idempotent-Replay")).hasValue("true");
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/jobs/" + id);
        JsonNode view = json(response);
        assertThat(view.get("id").asText()).isEqualTo(id);
        assertThat(view.get("state").asText()).isEqualTo("QUEUED");
    }

    private static void assertConflict(HttpResponse<String> response, String key) throws Exception {
        assertError(response, 409, "CONFLICT");
        assertThat(json(response).get("message").asText()).contains(key);
    }
}
