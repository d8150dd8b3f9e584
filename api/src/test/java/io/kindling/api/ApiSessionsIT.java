package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.api.gateway.GatewayCertificates;
import io.kindling.api.gateway.SessionGateway;
import io.kindling.api.gateway.StockConnectClient;
import io.kindling.api.sessions.SessionSpecs;
import io.kindling.common.relay.RelayAgent;
import io.kindling.common.relay.RelayKey;
import io.kindling.common.relay.TrustedCa;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SubmitJob;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/sessions} against a real broker, with the session gateway started by the api
 * ({@code KINDLING_GATEWAY_TLS_DIR}, {@code KINDLING_RELAY_KEY_FILE}): the test stands in for the
 * dispatcher (it publishes the session job's events) and for the worker (a {@link RelayAgent}
 * with the secret derived from the shared relay key).
 */
@ExtendWith(KafkaTestExtension.class)
class ApiSessionsIT {
    private static final String TENANT = "team-a";
    private static final String OTHER = "team-b";
    private static final TestTokens TOKENS = new TestTokens()
            .add("admin", List.of("default"), List.of("admin"))
            .add("alice", List.of(TENANT), List.of("submit", "read", "cancel"))
            .add("bob", List.of(OTHER), List.of("submit", "read", "cancel"));
    private static final String RELAY_KEY = "0123456789abcdef0123456789abcdef-test-key";
    private static ApiHarness h;
    private static Path tls;

    @BeforeAll
    static void start(KafkaFixture kafka, @TempDir Path dir) throws Exception {
        tls = dir.resolve("tls");
        GatewayCertificates.create(tls, List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
        Path key = dir.resolve("relay.key");
        Files.writeString(key, RELAY_KEY, StandardCharsets.UTF_8);
        h = ApiHarness.start(kafka, dir.resolve("blobs"), Map.of(
                "KINDLING_POOLS", "default,analytics",
                "KINDLING_GATEWAY_TLS_DIR", tls.toString(),
                "KINDLING_RELAY_KEY_FILE", key.toString(),
                "KINDLING_GATEWAY_HOST", "127.0.0.1",
                "KINDLING_GATEWAY_CLIENT_PORT", "0",
                "KINDLING_GATEWAY_AGENT_PORT", "0"), TOKENS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
            assertThat(h.api.server().gateway()).as("the gateway is closed with the api").isNull();
        }
    }

    @Test
    void aSessionIsASparkConnectJobWithItsLifetimeRetriesAndIdleTimeout() throws Exception {
        HttpResponse<String> created = as("alice", post("/v1/sessions", """
                {"pool": "analytics", "conf": {"spark.executor.memory": "1g"}, "idleTimeoutSeconds": 600,
                 "maxLifetimeSeconds": 3600, "labels": {"team": "ingest"}}"""));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode session = ApiHarness.json(created);
        String id = session.get("id").asText();
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/sessions/" + id);
        assertThat(session.get("state").asText()).isEqualTo("STARTING");
        assertThat(session.get("tenant").asText()).isEqualTo(TENANT);
        assertThat(session.get("pool").asText()).isEqualTo("analytics");
        assertThat(session.get("idleTimeoutSeconds").asInt()).isEqualTo(600);
        assertThat(session.get("maxLifetimeSeconds").asInt()).isEqualTo(3600);
        assertThat(session.get("labels")).hasSize(1);
        assertThat(session.get("logs").asText()).isEqualTo("/v1/jobs/" + id + "/logs");
        SessionGateway gateway = h.api.server().gateway();
        assertThat(session.get("connectUrl").asText())
                .isEqualTo("sc://127.0.0.1:" + gateway.clientPort() + "/;use_ssl=true;x-kindling-session=" + id);

        SubmitJob submit = (SubmitJob) single(h.commands(id));
        JobSpec spec = submit.spec();
        assertThat(spec.application().type()).isEqualTo(ApplicationType.SPARK_CONNECT);
        assertThat(spec.application().file()).isNull();
        assertThat(spec.timeoutSeconds()).isEqualTo(3600);
        assertThat(spec.conf()).containsEntry("spark.executor.memory", "1g");
        assertThat(spec.retry().maxAttempts()).isEqualTo(1);
        assertThat(spec.retry().retryOn()).containsExactly(FailureReason.SUBMISSION_FAILED);
        assertThat(spec.labels()).containsEntry(SessionSpecs.IDLE_TIMEOUT_LABEL, "600").containsEntry("team", "ingest");
        assertThat(spec.tenant()).isEqualTo(TENANT);
    }

    @Test
    void aRunningSessionIsReadyItsAgentIsAdmittedAndDeleteCancelsIt() throws Exception {
        String id = ApiHarness.json(as("alice", post("/v1/sessions", "{}"))).get("id").asText();
        JobSpec spec = ((SubmitJob) single(h.commands(id))).spec();
        RunAssignment run = running(id, spec);
        await().atMost(ApiHarness.DEADLINE).until(() -> "READY".equals(state("alice", id)));

        // the relay agent the worker would start, with the secret derived from the shared key, is admitted
        SessionGateway gateway = h.api.server().gateway();
        try (RelayAgent agent = RelayAgent.start(new RelayAgent.Config("127.0.0.1", gateway.agentPort(),
                TrustedCa.context(tls.resolve(GatewayCertificates.CA_FILE)), id,
                RelayKey.of(RELAY_KEY.getBytes(StandardCharsets.UTF_8)).agentSecret(id), 1, Duration.ofSeconds(1)))) {
            await().atMost(ApiHarness.DEADLINE).until(() -> gateway.agentConnected(id));
        }

        // the api's gateway admits by the api's own tokens and the session's tenant (a stock PySpark client)
        StockConnectClient client = new StockConnectClient(tls.resolve(GatewayCertificates.CA_FILE), tls.getParent());
        String url = ApiHarness.json(as("alice", get("/v1/sessions/" + id))).get("connectUrl").asText();
        assertThat(client.query(url + ";token=" + TOKENS.get("bob").value()))
                .doesNotContain("result").contains("PERMISSION_DENIED").contains("does not act in the tenant");
        assertThat(client.query(url + ";token=kt_not-a-token")).doesNotContain("result").contains("UNAUTHENTICATED");

        // another tenant neither sees nor deletes it
        assertThat(as("bob", get("/v1/sessions/" + id)).statusCode()).isEqualTo(404);
        assertThat(as("bob", delete("/v1/sessions/" + id)).statusCode()).isEqualTo(404);
        assertThat(ApiHarness.json(as("bob", get("/v1/sessions"))).get("items")).isEmpty();
        assertThat(ApiHarness.json(as("alice", get("/v1/sessions"))).get("items").findValuesAsText("id")).contains(id);

        HttpResponse<String> deleted = as("alice", delete("/v1/sessions/" + id));
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        CancelJob cancel = (CancelJob) h.commands(id).get(1);
        assertThat(cancel.reason()).isEqualTo("DELETED");

        // the dispatcher's answer: the attempt and the job CANCELLED with the cancel's reason
        Instant t = Instant.now();
        h.publish(JobEvents.attempt(run, JobState.CANCELLED, t).reason(FailureReason.CANCELLED)
                .message("cancelled: DELETED").build());
        await().atMost(ApiHarness.DEADLINE).until(() -> "ENDED".equals(state("alice", id)));
        JsonNode ended = ApiHarness.json(as("alice", get("/v1/sessions/" + id)));
        assertThat(ended.get("reason").asText()).isEqualTo("DELETED");
        assertThat(client.query(url + ";token=" + TOKENS.get("alice").value()))
                .as("an ended session is no route of the gateway").doesNotContain("result").contains("no live session " + id);
        assertThat(as("alice", delete("/v1/sessions/" + id)).statusCode()).as("deleting an ended session").isEqualTo(200);
    }

    @Test
    void aRequestWithoutABodyTakesTheDefaultsAndAnIdempotencyKeyReplays() throws Exception {
        HttpResponse<String> bare = as("alice", HttpRequest.newBuilder(URI.create(h.base + "/v1/sessions"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(bare.statusCode()).as(bare.body()).isEqualTo(201);
        JsonNode session = ApiHarness.json(bare);
        assertThat(session.get("pool").asText()).isEqualTo("default");
        assertThat(session.get("idleTimeoutSeconds").asInt()).isEqualTo(SessionSpecs.DEFAULT_IDLE_TIMEOUT_SECONDS);
        assertThat(session.get("maxLifetimeSeconds").asInt()).isEqualTo(SessionSpecs.DEFAULT_MAX_LIFETIME_SECONDS);

        HttpResponse<String> first = as("alice", post("/v1/sessions", "{}").header("Idempotency-Key", "nb-1"));
        HttpResponse<String> again = as("alice", post("/v1/sessions", "{}").header("Idempotency-Key", "nb-1"));
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("Kindling-Idempotent-Replay")).hasValue("true");
        assertThat(ApiHarness.json(again).get("id").asText()).isEqualTo(ApiHarness.json(first).get("id").asText());
        ApiHarness.assertError(as("alice", post("/v1/sessions", "{\"idleTimeoutSeconds\": 60}")
                .header("Idempotency-Key", "nb-1")), 409, "CONFLICT");
    }

    @Test
    void theApiEndsAReadySessionWithoutCallsForLongerThanItsIdleTimeout() throws Exception {
        String id = ApiHarness.json(as("alice", post("/v1/sessions", "{\"idleTimeoutSeconds\": 10}"))).get("id").asText();
        RunAssignment run = running(id, ((SubmitJob) single(h.commands(id))).spec());
        await().atMost(ApiHarness.DEADLINE).until(() -> "READY".equals(state("alice", id)));

        await().atMost(Duration.ofSeconds(90)).until(() -> h.commands(id).size() > 1);
        CancelJob cancel = (CancelJob) h.commands(id).get(1);
        assertThat(cancel.reason()).startsWith("IDLE:").contains("10 s");

        // the dispatcher's CANCELLED event carries the cancel's reason: the session ENDED, reason IDLE
        h.publish(JobEvents.attempt(run, JobState.CANCELLED, Instant.now()).reason(FailureReason.CANCELLED)
                .message("cancelled: " + cancel.reason()).build());
        await().atMost(ApiHarness.DEADLINE).until(() -> "ENDED".equals(state("alice", id)));
        assertThat(ApiHarness.json(as("alice", get("/v1/sessions/" + id))).get("reason").asText()).isEqualTo("IDLE");
    }

    @Test
    void badRequestsAreRefusedNamingTheProblem() throws Exception {
        ApiHarness.assertError(as("alice", post("/v1/sessions", "{\"pool\": \"nowhere\"}")), 400, "INVALID");
        ApiHarness.assertError(as("alice", post("/v1/sessions", "{\"idleTimeoutSeconds\": 1}")), 400, "SCHEMA_VIOLATION");
        ApiHarness.assertError(as("alice", post("/v1/sessions", "{\"application\": {\"type\": \"python\"}}")), 400,
                "UNKNOWN_FIELD");
        HttpResponse<String> reserved = as("alice", post("/v1/sessions",
                "{\"labels\": {\"kindling.io/idle-timeout-seconds\": \"1\"}}"));
        ApiHarness.assertError(reserved, 400, "SCHEMA_VIOLATION");
        assertThat(reserved.body()).contains("kindling.io/");
        ApiHarness.assertError(as("alice", post("/v1/sessions", "{\"tenant\": \"" + OTHER + "\"}")), 403, "FORBIDDEN");
        ApiHarness.assertError(as("alice", post("/v1/sessions", "{\"conf\": {\"not.spark\": \"x\"}}")), 400,
                "SCHEMA_VIOLATION");
        // a session is not created through /v1/jobs
        HttpResponse<String> job = as("alice", post("/v1/jobs", "{\"application\": {\"type\": \"spark-connect\"}}"));
        ApiHarness.assertError(job, 400, "INVALID");
        assertThat(job.body()).contains("/v1/sessions");
        // a job is not a session
        String jobId = ApiHarness.json(as("alice", post("/v1/jobs",
                "{\"application\": {\"type\": \"python\", \"file\": \"/apps/pi.py\"}}"))).get("id").asText();
        ApiHarness.assertError(as("alice", get("/v1/sessions/" + jobId)), 404, "NOT_FOUND");
        ApiHarness.assertError(as("alice", get("/v1/sessions/no-such-session")), 404, "NOT_FOUND");
    }

    // ---- helpers

    /** The session job's events up to RUNNING, as the dispatcher and the worker would publish them. */
    private static RunAssignment running(String id, JobSpec spec) {
        Instant t = Instant.now();
        RunAssignment run = RunAssignment.of(id, 1, spec, t);
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(spec).submittedAt(t).build());
        h.publish(JobEvents.attempt(run, JobState.DISPATCHED, t.plusMillis(1)).build());
        h.publish(JobEvents.attempt(run, JobState.SUBMITTING, t.plusMillis(2)).workerId("worker-1").build());
        h.publish(JobEvents.attempt(run, JobState.RUNNING, t.plusMillis(3)).workerId("worker-1").build());
        return run;
    }

    private static JobCommand single(List<JobCommand> commands) {
        assertThat(commands).hasSize(1);
        return commands.get(0);
    }

    private static String state(String who, String id) throws Exception {
        HttpResponse<String> response = as(who, get("/v1/sessions/" + id));
        return response.statusCode() == 200 ? ApiHarness.json(response).get("state").asText() : "HTTP " + response.statusCode();
    }

    private static HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(h.base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(h.base + path)).GET();
    }

    private static HttpRequest.Builder delete(String path) {
        return HttpRequest.newBuilder(URI.create(h.base + path)).DELETE();
    }

    private static HttpResponse<String> as(String who, HttpRequest.Builder request) throws Exception {
        return h.send(request.header("Authorization", TOKENS.get(who).bearer()));
    }
}
