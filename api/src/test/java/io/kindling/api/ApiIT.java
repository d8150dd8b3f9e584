package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api against a real Kafka broker and a local-directory blob store, driven over HTTP: the
 * api runs as the embedded launcher would start it ({@link ApiComponent#start}).
 */
@ExtendWith(KafkaTestExtension.class)
class ApiIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String VALID = """
            {"name": "pi", "application": {"type": "python", "file": "/apps/pi.py", "args": ["10"]},
             "conf": {"spark.executor.memory": "1g"}, "tenant": "acme"}
            """;

    private static final TestTokens TOKENS = TestTokens.admin();
    private static final String ADMIN = TOKENS.get("admin").bearer();
    private static KafkaFixture kafka;
    private static Topics topics;
    private static Map<String, String> env;
    private static Vertx vertx;
    private static ApiComponent api;
    private static BlobStore blobs;
    private static HttpClient http;
    private static String base;

    @BeforeAll
    static void start(KafkaFixture fixture, @TempDir Path blobDir) throws Exception {
        kafka = fixture;
        topics = new Topics(fixture.topicPrefix());
        env = Map.of(
                "KINDLING_AUTH_TOKENS_FILE", TOKENS.write(blobDir.resolveSibling(blobDir.getFileName() + "-tokens.yaml"))
                        .toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", fixture.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", fixture.topicPrefix(),
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_HTTP_PORT", "0",
                "KINDLING_BLOB_STORE", "local",
                "KINDLING_BLOB_DIR", blobDir.toString());
        vertx = Vertx.vertx();
        api = ApiComponent.start(env, vertx);
        blobs = new LocalDirBlobStore(blobDir);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        base = "http://127.0.0.1:" + api.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (blobs != null) {
            blobs.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void becomesReadyOnceItHasReadTheEventsTopic() throws Exception {
        await().atMost(DEADLINE).untilAsserted(() -> assertThat(get("/health/ready").statusCode()).isEqualTo(200));
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(json(live).get("status").asText()).isEqualTo("UP");
        assertThat(api.server().ready()).isTrue();
    }

    @Test
    void acceptsAJobAndPublishesASubmitCommand() throws Exception {
        HttpResponse<String> response = post(VALID, "application/json", Map.of("Idempotency-Key", "run-42"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode view = json(response);
        String id = view.get("id").asText();
        assertThat(id).matches("^[a-z0-9][a-z0-9-]{0,62}$");
        assertThat(response.headers().firstValue("Location")).hasValue("/v1/jobs/" + id);
        assertThat(view.get("state").asText()).isEqualTo("QUEUED");
        assertThat(view.get("tenant").asText()).isEqualTo("acme");
        assertThat(view.get("attempts").isEmpty()).isTrue();

        HttpResponse<String> fetched = get("/v1/jobs/" + id);
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(json(fetched).get("state").asText()).isEqualTo("QUEUED");

        SubmitJob submit = awaitCommand(id);
        JobSpec sent = new MessageReader().readJobSpec(VALID.getBytes(StandardCharsets.UTF_8));
        assertThat(submit.spec()).usingRecursiveComparison().ignoringFields("idempotencyKey").isEqualTo(sent);
        assertThat(submit.spec().idempotencyKey()).isEqualTo("run-42");
        assertThat(submit.submittedAt()).isNotNull();
    }

    @Test
    void refusesBadBodiesNamingTheProblemAndKeepsServing() throws Exception {
        HttpResponse<String> malformed = post("{\"application\": ", "application/json", Map.of());
        assertError(malformed, 400, "MALFORMED_JSON");
        assertThat(json(malformed).get("message").asText()).startsWith("malformed JSON");

        HttpResponse<String> missing = post("{\"application\": {\"type\": \"python\"}}", "application/json", Map.of());
        assertError(missing, 400, "SCHEMA_VIOLATION");
        assertThat(json(missing).get("message").asText()).contains("$.application.file: required field 'file' is missing");
        assertThat(json(missing).get("details").get(0).get("field").asText()).isEqualTo("$.application.file");

        HttpResponse<String> unknown = post(
                "{\"application\": {\"type\": \"python\", \"file\": \"/a.py\"}, \"colour\": \"red\"}", "application/json",
                Map.of());
        assertError(unknown, 400, "UNKNOWN_FIELD");
        assertThat(json(unknown).get("message").asText()).contains("colour");

        HttpResponse<String> conflicting = post(
                "{\"application\": {\"type\": \"python\", \"file\": \"/a.py\"}, \"idempotencyKey\": \"a\"}",
                "application/json", Map.of("Idempotency-Key", "b"));
        assertError(conflicting, 400, "INVALID");

        assertError(post(VALID, "text/plain", Map.of()), 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(post("{\"name\": \"" + "x".repeat(1024 * 1024) + "\"}", "application/json", Map.of()), 413,
                "TOO_LARGE");

        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(post(VALID, "application/json", Map.of()).statusCode()).isEqualTo(202);
    }

    @Test
    void answersTheErrorBodyForUnknownJobsPathsAndMethods() throws Exception {
        HttpResponse<String> missing = get("/v1/jobs/no-such-job");
        assertError(missing, 404, "NOT_FOUND");
        assertThat(json(missing).get("message").asText()).contains("no-such-job");

        assertError(get("/v1/jobs/Not_A_Job_Id"), 400, "INVALID_PARAMETER");
        assertError(get("/v2/nothing"), 404, "NOT_FOUND");
        HttpResponse<String> notAllowed = send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs")).DELETE());
        assertError(notAllowed, 405, "METHOD_NOT_ALLOWED");
        assertThat(notAllowed.headers().firstValue("Allow")).hasValue("GET, POST");
        // a form body on a method without one is not decoded (it was a 500)
        HttpResponse<String> trace = send(HttpRequest.newBuilder(URI.create(base + "/v1/artifacts"))
                .header("Content-Type", "multipart/form-data; boundary=x")
                .method("TRACE", HttpRequest.BodyPublishers.noBody()));
        assertError(trace, 405, "METHOD_NOT_ALLOWED");
        assertThat(trace.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void servesItsOpenApiDocumentAndTheSchemasBesideItWithoutAToken() throws Exception {
        HttpClient anonymous = HttpClient.newHttpClient();
        HttpResponse<String> document = anonymous.send(HttpRequest.newBuilder(URI.create(base + "/openapi.yaml")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.headers().firstValue("Content-Type")).hasValue("application/yaml");
        assertThat(document.body()).startsWith("openapi: 3.1.0").contains("operationId: getOpenApi");
        HttpResponse<String> schema = anonymous.send(HttpRequest.newBuilder(URI.create(base + "/job-spec.schema.json"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(json(schema).get("$id").asText()).endsWith("/job-spec.schema.json");
        HttpResponse<String> none = anonymous.send(HttpRequest.newBuilder(URI.create(base + "/nothing.schema.json"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(404);
    }

    @Test
    void followsTheEventsTopic() throws Exception {
        String id = "job-" + UUID.randomUUID();
        publishLifecycle(id, JobState.SUCCEEDED);

        await().atMost(DEADLINE).untilAsserted(() -> {
            JsonNode view = json(get("/v1/jobs/" + id));
            assertThat(view.get("state").asText()).isEqualTo("SUCCEEDED");
        });
        JsonNode view = json(get("/v1/jobs/" + id));
        assertThat(view.get("name").asText()).isEqualTo("pi");
        JsonNode attempt = view.get("attempts").get(0);
        assertThat(attempt.get("number").asInt()).isEqualTo(1);
        assertThat(attempt.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(attempt.get("sparkAppId").asText()).isEqualTo("app-" + id);
        assertThat(attempt.get("workerId").asText()).isEqualTo("worker-1");
        assertThat(attempt.get("exitCode").asInt()).isZero();
    }

    @Test
    void servesLogBytesByOffset() throws Exception {
        String id = "job-" + UUID.randomUUID();
        publishLifecycle(id, JobState.RUNNING);
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(json(get("/v1/jobs/" + id)).get("state").asText()).isEqualTo("RUNNING"));

        // nothing shipped yet: empty, not 404
        HttpResponse<byte[]> none = getBytes("/v1/jobs/" + id + "/logs/stdout?offset=0");
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.body()).isEmpty();
        assertThat(none.headers().firstValue("Kindling-Next-Offset")).hasValue("0");
        assertThat(none.headers().firstValue("Kindling-Log-Complete")).hasValue("false");

        byte[] text = "line one\nline two\n".getBytes(StandardCharsets.UTF_8);
        String path = LogLayout.stream("acme", id, 1, LogStream.STDOUT);
        blobs.append(path, 0, text, 0, text.length);

        HttpResponse<byte[]> all = getBytes("/v1/jobs/" + id + "/logs/stdout");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(all.body()).isEqualTo(text);
        assertThat(all.headers().firstValue("Kindling-Next-Offset")).hasValue(Integer.toString(text.length));
        assertThat(all.headers().firstValue("Kindling-Attempt")).hasValue("1");
        assertThat(all.headers().firstValue("Kindling-Log-Complete")).hasValue("false");

        HttpResponse<byte[]> part = getBytes("/v1/jobs/" + id + "/logs/stdout?attempt=1&offset=5&limit=3");
        assertThat(new String(part.body(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(part.headers().firstValue("Kindling-Next-Offset")).hasValue("8");

        blobs.put(LogLayout.index("acme", id, 1), Json.encode(new LogIndex(id, 1, id + "-a1",
                Map.of("stdout", (long) text.length), List.of(), true, Instant.now())));
        HttpResponse<byte[]> rest = getBytes("/v1/jobs/" + id + "/logs/stdout?offset=8");
        assertThat(new String(rest.body(), StandardCharsets.UTF_8)).isEqualTo("\nline two\n");
        assertThat(rest.headers().firstValue("Kindling-Log-Complete")).hasValue("true");

        HttpResponse<byte[]> stderr = getBytes("/v1/jobs/" + id + "/logs/stderr");
        assertThat(stderr.statusCode()).isEqualTo(200);
        assertThat(stderr.body()).isEmpty();

        assertError(get("/v1/jobs/" + id + "/logs/stdout?attempt=2"), 404, "NOT_FOUND");
        assertError(get("/v1/jobs/" + id + "/logs/driver"), 400, "INVALID_PARAMETER");
        assertError(get("/v1/jobs/" + id + "/logs/stdout?limit=0"), 400, "INVALID_PARAMETER");
        assertError(get("/v1/jobs/no-such-job/logs/stdout"), 404, "NOT_FOUND");
    }

    @Test
    void aRestartedApiRebuildsItsViewFromTheLog() throws Exception {
        String id = "job-" + UUID.randomUUID();
        publishLifecycle(id, JobState.SUCCEEDED);
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(json(get("/v1/jobs/" + id)).path("state").asText()).isEqualTo("SUCCEEDED"));

        try (ApiComponent second = ApiComponent.start(env, vertx)) {
            await().atMost(DEADLINE).until(() -> second.server().ready());
            assertThat(second.server().views().get(id)).hasValueSatisfying(
                    view -> assertThat(view.state()).isEqualTo(JobState.SUCCEEDED));
        }
    }

    @Test
    void answers503WhenKafkaDoesNotAcknowledge() throws Exception {
        Map<String, String> deadKafka = new HashMap<>(env);
        deadKafka.put("KINDLING_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + closedPort());
        ApiConfig config = ApiConfig.fromEnv(deadKafka).withPublishTimeout(Duration.ofSeconds(1));
        ApiServer server = new ApiServer(config, vertx, new io.kindling.common.kafka.KafkaClients(config.kafka()), blobs);
        try {
            int port = server.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/jobs"))
                    .header("Content-Type", "application/json").header("Authorization", ADMIN)
                    .POST(HttpRequest.BodyPublishers.ofString(VALID)).build(), HttpResponse.BodyHandlers.ofString());
            assertError(response, 503, "UNAVAILABLE");
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            assertError(ready, 503, "UNAVAILABLE");
        } finally {
            server.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    // ---- helpers

    private static void publishLifecycle(String id, JobState last) {
        JobSpec spec = new JobSpec("pi", null, new Application(ApplicationType.PYTHON, "/apps/pi.py", null, List.of()),
                null, null, Map.of(), null, null, null, null, null, null, null, null, null).withTenant("acme");
        Instant t = Instant.now();
        RunAssignment run = RunAssignment.of(id, 1, spec, t);
        List<JobEvent> events = new java.util.ArrayList<>(List.of(
                JobEvents.job(id, JobState.QUEUED, t).spec(spec).submittedAt(t).build(),
                JobEvents.attempt(run, JobState.DISPATCHED, t.plusMillis(1)).build(),
                JobEvents.attempt(run, JobState.SUBMITTING, t.plusMillis(2)).workerId("worker-1").build(),
                JobEvents.attempt(run, JobState.RUNNING, t.plusMillis(3)).workerId("worker-1").sparkAppId("app-" + id).build()));
        if (last == JobState.SUCCEEDED) {
            events.add(JobEvents.attempt(run, JobState.SUCCEEDED, t.plusMillis(4)).exitCode(0).build());
        }
        for (JobEvent event : events) {
            kafka.send(topics.events(), id, Json.encode(event));
        }
    }

    private static SubmitJob awaitCommand(String id) {
        List<ConsumerRecord<String, byte[]>> records = new java.util.ArrayList<>();
        await().atMost(DEADLINE).until(() -> {
            records.clear();
            records.addAll(kafka.awaitRecords(topics.commands(), 1, DEADLINE).stream()
                    .filter(r -> id.equals(r.key())).toList());
            return !records.isEmpty();
        });
        assertThat(records).hasSize(1);
        JobCommand command = new MessageReader().readCommand(records.get(0).value());
        assertThat(command).isInstanceOf(SubmitJob.class);
        assertThat(command.jobId()).isEqualTo(id);
        return (SubmitJob) command;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(response);
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.get("details").isArray()).isTrue();
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.mapper().readTree(response.body());
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private static HttpResponse<byte[]> getBytes(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(DEADLINE).header("Authorization", ADMIN)
                        .GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> post(String body, String contentType, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(DEADLINE).header("Authorization", ADMIN).build(), HttpResponse.BodyHandlers.ofString());
    }
}
