package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kindling.api.auth.TestJwks;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SubmitJob;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every operation of openapi.yaml × every kind of caller, against the real api (shared broker,
 * local blob store, static tokens and OIDC JWTs from an issuer served on loopback), asserting the
 * exact status. The operations come from the document: one without a row here fails the test.
 */
@ExtendWith(KafkaTestExtension.class)
class AuthorizationMatrixIT {
    /** Who calls. */
    enum Caller {
        OWNER, SAME_TENANT_WITHOUT_ROLE, OTHER_TENANT, ADMIN, NO_CREDENTIAL, MALFORMED_TOKEN, EXPIRED_JWT, WRONG_AUDIENCE,
        UNKNOWN_KEY_JWT
    }

    private static final String TENANT = "acme";
    private static final String OTHER = "globex";
    private static final TestTokens TOKENS = new TestTokens()
            .add("owner", List.of(TENANT), List.of("submit", "read", "cancel"))
            .add("no-submit", List.of(TENANT), List.of("read", "cancel"))
            .add("no-read", List.of(TENANT), List.of("submit", "cancel"))
            .add("no-cancel", List.of(TENANT), List.of("submit", "read"))
            .add("other", List.of(OTHER), List.of("submit", "read", "cancel"))
            .add("admin", List.of("default"), List.of("admin"));

    /** One operation: the role it needs, its request, and what its owner gets. */
    record Row(String role, Function<Caller, HttpRequest.Builder> request, int ownerStatus, int otherTenantStatus) {
    }

    private static ApiHarness h;
    private static TestJwks issuer;
    private static BlobStore blobs;
    private static String jobId;
    private static String sessionId;
    private static String artifactPath;
    private static Map<String, Row> rows;

    @BeforeAll
    static void start(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        issuer = new TestJwks();
        h = ApiHarness.start(kafka, blobDir, Map.of(
                "KINDLING_OIDC_ISSUER", TestJwks.ISSUER,
                "KINDLING_OIDC_AUDIENCE", TestJwks.AUDIENCE,
                "KINDLING_OIDC_JWKS_URL", issuer.url()), TOKENS);
        blobs = new LocalDirBlobStore(blobDir);
        jobId = "matrix-" + UUID.randomUUID().toString().substring(0, 8);
        endedJobWithLogs(jobId);
        sessionId = "matrix-session-" + UUID.randomUUID().toString().substring(0, 8);
        endedSession(sessionId);
        HttpResponse<String> upload = h.send(upload(TENANT).header("Authorization", TOKENS.get("owner").bearer()));
        assertThat(upload.statusCode()).as(upload.body()).isEqualTo(201);
        artifactPath = upload.headers().firstValue("Location").orElseThrow();
        org.awaitility.Awaitility.await().atMost(ApiHarness.DEADLINE)
                .until(() -> h.api.server().views().find(jobId).map(v -> v.state() == JobState.SUCCEEDED).orElse(false)
                        && h.api.server().views().find(sessionId).map(v -> v.state() == JobState.CANCELLED).orElse(false));
        rows = rows();
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
        if (blobs != null) {
            blobs.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    private static Map<String, Row> rows() {
        Map<String, Row> r = new TreeMap<>();
        r.put("listJobs", new Row("read", c -> get("/v1/jobs"), 200, 200));
        r.put("submitJob", new Row("submit", c -> post("/v1/jobs", "{\"name\": \"matrix\", \"tenant\": \"" + TENANT + "\","
                + " \"application\": {\"type\": \"python\", \"file\": \"/apps/pi.py\"}}"), 202, 403));
        r.put("getJob", new Row("read", c -> get("/v1/jobs/" + jobId), 200, 404));
        r.put("cancelJob", new Row("cancel", c -> post("/v1/jobs/" + jobId + "/cancel", "{\"reason\": \"matrix\"}"), 200, 404));
        r.put("getJobEvents", new Row("read", c -> get("/v1/jobs/" + jobId + "/events"), 200, 404));
        r.put("getJobLogs", new Row("read", c -> get("/v1/jobs/" + jobId + "/logs/stdout"), 200, 404));
        r.put("getJobEventLog", new Row("read", c -> get("/v1/jobs/" + jobId + "/eventlog"), 200, 404));
        r.put("uploadArtifact", new Row("submit", c -> upload(TENANT), 201, 403));
        r.put("getArtifact", new Row("read", c -> get(artifactPath), 200, 404));
        r.put("getQueues", new Row("read", c -> get("/v1/queues"), 200, 200));
        r.put("watchJobs", new Row("read", c -> get("/v1/watch/jobs"), 200, 200));
        // a session is a job: an ended one, so DELETE is answered 200 (nothing to cancel) every time
        r.put("listSessions", new Row("read", c -> get("/v1/sessions"), 200, 200));
        r.put("createSession", new Row("submit", c -> post("/v1/sessions", "{\"tenant\": \"" + TENANT + "\"}"), 201, 403));
        r.put("getSession", new Row("read", c -> get("/v1/sessions/" + sessionId), 200, 404));
        r.put("deleteSession", new Row("cancel", c -> HttpRequest.newBuilder(URI.create(h.base + "/v1/sessions/" + sessionId))
                .DELETE(), 200, 404));
        r.put("healthLive", new Row(null, c -> get("/health/live"), 200, 200));
        r.put("healthReady", new Row(null, c -> get("/health/ready"), 200, 200));
        r.put("getOpenApi", new Row(null, c -> get("/openapi.yaml"), 200, 200));
        return r;
    }

    @Test
    void everyOperationOfTheContractHasARow() throws Exception {
        assertThat(rows.keySet()).isEqualTo(operationIds());
    }

    @Test
    void theContractDeclaresTheSchemesAndTheAnswersTheMatrixSees() throws Exception {
        JsonNode doc = contract();
        assertThat(doc.at("/components/securitySchemes/oidc/scheme").asText()).isEqualTo("bearer");
        assertThat(doc.at("/components/securitySchemes/oidc/bearerFormat").asText()).isEqualTo("JWT");
        assertThat(doc.at("/components/securitySchemes/apiToken/scheme").asText()).isEqualTo("bearer");
        assertThat(doc.get("security")).hasSize(2);
        for (Map.Entry<String, JsonNode> e : operations(doc).entrySet()) {
            Row row = rows.get(e.getKey());
            JsonNode responses = e.getValue().get("responses");
            if (row.role() == null) {
                assertThat(e.getValue().get("security")).as(e.getKey() + " is open").isEmpty();
                continue;
            }
            assertThat(responses.has("401")).as(e.getKey() + " declares 401").isTrue();
            assertThat(responses.has("403")).as(e.getKey() + " declares 403").isTrue();
            assertThat(responses.has(Integer.toString(row.otherTenantStatus())) || row.otherTenantStatus() == 200)
                    .as(e.getKey() + " declares what another tenant gets").isTrue();
            assertThat(responses.has(Integer.toString(row.ownerStatus()))).as(e.getKey() + " declares its success").isTrue();
        }
        for (String limited : List.of("submitJob", "getJobEvents", "getJobLogs", "uploadArtifact", "watchJobs")) {
            assertThat(operations(doc).get(limited).get("responses").has("429")).as(limited + " declares 429").isTrue();
        }
    }

    @Test
    void everyOperationTimesEveryCallerAnswersItsExactStatus() throws Exception {
        List<String> mismatches = new ArrayList<>();
        int cells = 0;
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            for (Caller caller : Caller.values()) {
                cells++;
                Row row = e.getValue();
                int expected = expected(row, caller);
                HttpRequest request = row.request().apply(caller).timeout(ApiHarness.DEADLINE).build();
                request = credential(request, row, caller);
                HttpResponse<String> response = e.getKey().equals("watchJobs") ? opening(request)
                        : h.http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != expected) {
                    mismatches.add(e.getKey() + " × " + caller + ": expected " + expected + ", got " + response.statusCode()
                            + " " + response.body());
                    continue;
                }
                if (expected == 401) {
                    assertThat(response.headers().firstValue("WWW-Authenticate")).as(e.getKey() + " × " + caller)
                            .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer realm=\"kindling\""));
                    assertThat(Json.mapper().readTree(response.body()).get("code").asText()).isEqualTo("UNAUTHENTICATED");
                } else if (expected == 403) {
                    assertThat(Json.mapper().readTree(response.body()).get("code").asText()).isEqualTo("FORBIDDEN");
                } else if (expected == 404) {
                    assertThat(Json.mapper().readTree(response.body()).get("code").asText()).isEqualTo("NOT_FOUND");
                }
                if (e.getKey().equals("getQueues") && caller == Caller.OTHER_TENANT) {
                    assertThat(response.body()).as("getQueues × " + caller + " shows nothing of the acme job")
                            .doesNotContain(jobId).doesNotContain("\"" + TENANT + "\"");
                }
                if (e.getKey().equals("listJobs") && expected == 200) {
                    boolean listsTheJob = response.body().contains("\"" + jobId + "\"");
                    assertThat(listsTheJob).as("listJobs × " + caller + " lists the acme job")
                            .isEqualTo(caller != Caller.OTHER_TENANT);
                }
            }
        }
        assertThat(mismatches).isEmpty();
        assertThat(cells).isEqualTo(rows.size() * Caller.values().length);
        System.out.println("authorization matrix: " + rows.size() + " operations x " + Caller.values().length + " callers = "
                + cells + " cells");
    }

    @Test
    void submitAndCancelRecordThePrincipalAndTheTenantComesFromIdentity() throws Exception {
        HttpResponse<String> labelled = h.send(post("/v1/jobs", "{\"labels\": {\"tenant\": \"" + OTHER + "\"},"
                + " \"application\": {\"type\": \"python\", \"file\": \"/apps/pi.py\"}}")
                .header("Authorization", TOKENS.get("owner").bearer()));
        ApiHarness.assertError(labelled, 400, "INVALID");
        assertThat(labelled.body()).contains("$.labels.tenant");

        HttpResponse<String> submitted = h.send(post("/v1/jobs", "{\"application\": {\"type\": \"python\", \"file\": \"/a.py\"},"
                + " \"idempotencyKey\": \"same-key\"}").header("Authorization", TOKENS.get("owner").bearer()));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        JsonNode view = ApiHarness.json(submitted);
        assertThat(view.get("tenant").asText()).isEqualTo(TENANT);
        String id = view.get("id").asText();
        // the other tenant's same key names another job: keys are scoped by tenant
        HttpResponse<String> theirs = h.send(post("/v1/jobs", "{\"application\": {\"type\": \"python\", \"file\": \"/a.py\"},"
                + " \"idempotencyKey\": \"same-key\"}").header("Authorization", TOKENS.get("other").bearer()));
        assertThat(theirs.statusCode()).as(theirs.body()).isEqualTo(202);
        assertThat(ApiHarness.json(theirs).get("id").asText()).isNotEqualTo(id);
        assertThat(ApiHarness.json(theirs).get("tenant").asText()).isEqualTo(OTHER);

        HttpResponse<String> cancelled = h.send(post("/v1/jobs/" + id + "/cancel", "{}")
                .header("Authorization", TOKENS.get("owner").bearer()));
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(202);
        List<JobCommand> commands = h.commands(id);
        assertThat(commands).hasSize(2);
        assertThat(commands.get(0)).isInstanceOfSatisfying(SubmitJob.class, s -> {
            assertThat(s.principal()).isEqualTo("owner");
            assertThat(s.spec().tenant()).isEqualTo(TENANT);
        });
        assertThat(commands.get(1)).isInstanceOfSatisfying(CancelJob.class, c -> assertThat(c.principal()).isEqualTo("owner"));
    }

    // ---- expectations and requests

    private static int expected(Row row, Caller caller) {
        if (row.role() == null) {
            return 200;
        }
        return switch (caller) {
            case OWNER, ADMIN -> row.ownerStatus();
            case SAME_TENANT_WITHOUT_ROLE -> 403;
            case OTHER_TENANT -> row.otherTenantStatus();
            case NO_CREDENTIAL, MALFORMED_TOKEN, EXPIRED_JWT, WRONG_AUDIENCE, UNKNOWN_KEY_JWT -> 401;
        };
    }

    private static HttpRequest credential(HttpRequest request, Row row, Caller caller) {
        String authorization = switch (caller) {
            case OWNER -> TOKENS.get("owner").bearer();
            case SAME_TENANT_WITHOUT_ROLE -> TOKENS.get("no-" + (row.role() == null ? "read" : row.role())).bearer();
            case OTHER_TENANT -> TOKENS.get("other").bearer();
            case ADMIN -> "Bearer " + issuer.token("ops@example.com", List.of(), List.of("Kindling.Admin"));
            case NO_CREDENTIAL -> null;
            case MALFORMED_TOKEN -> "Bearer not.a.jwt";
            case EXPIRED_JWT -> "Bearer " + TestJwks.token(issuer.key(), TestJwks.AUDIENCE, "late", List.of(TENANT),
                    List.of("admin"), Instant.now().minusSeconds(600));
            case WRONG_AUDIENCE -> "Bearer " + TestJwks.token(issuer.key(), "another-api", "lost", List.of(TENANT),
                    List.of("admin"), Instant.now().plusSeconds(600));
            case UNKNOWN_KEY_JWT -> "Bearer " + TestJwks.token(TestJwks.unknownKey(), TestJwks.AUDIENCE, "forger",
                    List.of(TENANT), List.of("admin"), Instant.now().plusSeconds(600));
        };
        return authorization == null ? request
                : HttpRequest.newBuilder(request, (n, v) -> true).header("Authorization", authorization).build();
    }

    /**
     * The answer to a request of a stream that stays open (watchJobs): an error body whole, else
     * the stream's opening comment; then the connection is closed.
     */
    private static HttpResponse<String> opening(HttpRequest request) throws Exception {
        HttpResponse<InputStream> response = h.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        String body;
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } else {
                StringBuilder text = new StringBuilder();
                int b;
                while (text.indexOf("\n\n") < 0 && (b = in.read()) >= 0) {
                    text.append((char) b);
                }
                body = text.toString();
                assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
            }
        }
        return new HttpResponse<>() {
            @Override public int statusCode() { return response.statusCode(); }
            @Override public HttpRequest request() { return response.request(); }
            @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
            @Override public java.net.http.HttpHeaders headers() { return response.headers(); }
            @Override public String body() { return body; }
            @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return response.sslSession(); }
            @Override public URI uri() { return response.uri(); }
            @Override public java.net.http.HttpClient.Version version() { return response.version(); }
        };
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(h.base + path)).GET();
    }

    private static HttpRequest.Builder post(String path, String json) {
        return HttpRequest.newBuilder(URI.create(h.base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private static HttpRequest.Builder upload(String tenant) {
        String boundary = "kindling-" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"tenant\"\r\n\r\n" + tenant + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"job.py\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nprint('matrix')\r\n--" + boundary + "--\r\n")
                .getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(URI.create(h.base + "/v1/artifacts"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()));
    }

    /** A job of tenant acme that ran and ended, with its stdout, index and event log in the store. */
    /** A session of tenant acme that was deleted (its job CANCELLED). */
    private static void endedSession(String id) {
        JobSpec spec = new io.kindling.schemas.MessageReader()
                .readJobSpec(io.kindling.api.sessions.SessionSpecs.jobSpec(new io.vertx.core.json.JsonObject()))
                .withTenant(TENANT);
        Instant t = Instant.now();
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(spec).submittedAt(t).build());
        h.publish(JobEvents.job(id, JobState.CANCELLED, t.plusMillis(1)).reason(io.kindling.schemas.FailureReason.CANCELLED)
                .message("cancelled: DELETED").build());
    }

    private static void endedJobWithLogs(String id) {
        JobSpec spec = ApiHarness.spec(null, Map.of()).withTenant(TENANT);
        Instant t = Instant.now();
        RunAssignment run = RunAssignment.of(id, 1, spec, t);
        byte[] text = "hello\n".getBytes(StandardCharsets.UTF_8);
        blobs.append(LogLayout.stream(TENANT, id, 1, LogStream.STDOUT), 0, text, 0, text.length);
        String eventLog = LogLayout.eventLog(TENANT, "app-" + id);
        blobs.append(eventLog, 0, new byte[] {1, 2, 3}, 0, 3);
        blobs.put(LogLayout.index(TENANT, id, 1), Json.encode(new LogIndex(id, 1, id + "-a1",
                Map.of("stdout", (long) text.length), List.of(eventLog), true, t)));
        h.publish(JobEvents.job(id, JobState.QUEUED, t).spec(spec).submittedAt(t).build());
        h.publish(JobEvents.attempt(run, JobState.DISPATCHED, t.plusMillis(1)).build());
        h.publish(JobEvents.attempt(run, JobState.RUNNING, t.plusMillis(2)).workerId("w").build());
        h.publish(JobEvents.attempt(run, JobState.SUCCEEDED, t.plusMillis(3)).exitCode(0).build());
    }

    private static TreeSet<String> operationIds() throws Exception {
        return new TreeSet<>(operations(contract()).keySet());
    }

    private static JsonNode contract() throws Exception {
        try (InputStream in = JobSpec.class.getResourceAsStream("/io/kindling/schemas/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the classpath").isNotNull();
            return new YAMLMapper().readTree(in);
        }
    }

    /** Every operation of the document by operationId. */
    private static Map<String, JsonNode> operations(JsonNode doc) {
        Map<String, JsonNode> operations = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> p = doc.get("paths").fields(); p.hasNext(); ) {
            for (Iterator<Map.Entry<String, JsonNode>> m = p.next().getValue().fields(); m.hasNext(); ) {
                JsonNode operation = m.next().getValue();
                if (operation.has("operationId")) {
                    operations.put(operation.get("operationId").asText(), operation);
                }
            }
        }
        return operations;
    }
}
