package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An api started as the embedded launcher starts it, against the shared broker and a local blob
 * directory, with an HTTP client and helpers to drive it: the events topic is written by the test
 * (standing in for the dispatcher and workers), the commands topic read back.
 */
final class ApiHarness implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(30);

    final KafkaFixture kafka;
    final Topics topics;
    final Map<String, String> env;
    final Vertx vertx;
    final ApiComponent api;
    final HttpClient http;
    final String base;
    /** The tokens the api accepts: {@code admin} (every tenant) unless a test brings its own. */
    final TestTokens tokens;

    private ApiHarness(KafkaFixture kafka, Map<String, String> env, Vertx vertx, ApiComponent api, TestTokens tokens) {
        this.tokens = tokens;
        this.kafka = kafka;
        this.topics = new Topics(kafka.topicPrefix());
        this.env = env;
        this.vertx = vertx;
        this.api = api;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.base = "http://127.0.0.1:" + api.port();
    }

    static ApiHarness start(KafkaFixture kafka, Path blobDir) throws InterruptedException {
        return start(kafka, blobDir, Map.of());
    }

    /** As {@link #start(KafkaFixture, Path)}, with {@code extraEnv} added to the api's environment. */
    static ApiHarness start(KafkaFixture kafka, Path blobDir, Map<String, String> extraEnv) throws InterruptedException {
        return start(kafka, blobDir, extraEnv, TestTokens.admin());
    }

    /** As {@link #start(KafkaFixture, Path, Map)}, accepting {@code tokens} (requests default to the one named admin). */
    static ApiHarness start(KafkaFixture kafka, Path blobDir, Map<String, String> extraEnv, TestTokens tokens)
            throws InterruptedException {
        Map<String, String> env = new java.util.HashMap<>(extraEnv);
        Path tokensFile = tokens.write(blobDir.toAbsolutePath().resolveSibling(blobDir.getFileName() + "-tokens.yaml"));
        env.putIfAbsent("KINDLING_AUTH_TOKENS_FILE", tokensFile.toString());
        env.putAll(Map.of(
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix(),
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_HTTP_PORT", "0",
                "KINDLING_BLOB_STORE", "local",
                "KINDLING_BLOB_DIR", blobDir.toString()));
        Vertx vertx = Vertx.vertx();
        ApiComponent api = ApiComponent.start(env, vertx);
        await().atMost(DEADLINE).until(() -> api.server().ready());
        return new ApiHarness(kafka, env, vertx, api, tokens);
    }

    @Override
    public void close() throws Exception {
        api.close();
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static JobSpec spec(String pool, Map<String, String> labels) {
        return new JobSpec("pi", pool, new Application(ApplicationType.PYTHON, "/apps/pi.py", null, List.of()), null, null,
                labels, null, null, null, null, null, null, null, null, null);
    }

    void publish(JobEvent event) {
        kafka.send(topics.events(), event.jobId(), Json.encode(event));
    }

    /** Every command on the commands topic for {@code jobId}, read up to the topic's current end. */
    List<JobCommand> commands(String jobId) {
        MessageReader reader = new MessageReader();
        return readToEnd(topics.commands()).stream()
                .filter(r -> jobId.equals(r.key()))
                .map(r -> reader.readCommand(r.value()))
                .toList();
    }

    private List<ConsumerRecord<String, byte[]>> readToEnd(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            Set<TopicPartition> partitions = consumer.partitionsFor(topic, DEADLINE).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toSet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, DEADLINE);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                assertThat(System.nanoTime() - deadline).as("read " + topic + " to its end in time").isNegative();
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    HttpResponse<String> post(String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return send(request);
    }

    /** Sends {@code request}, as the admin token unless it carries its own {@code Authorization}. */
    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(authorized(request.timeout(DEADLINE).build()), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code request} with the admin token, unless it has an {@code Authorization} header already. */
    HttpRequest authorized(HttpRequest request) {
        if (request.headers().firstValue("Authorization").isPresent()) {
            return request;
        }
        return HttpRequest.newBuilder(request, (name, value) -> true)
                .header("Authorization", tokens.get("admin").bearer()).build();
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.mapper().readTree(response.body());
    }

    static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = json(response);
        assertThat(body.get("code").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    String state(String jobId) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/v1/jobs/" + jobId);
        return response.statusCode() == 200 ? json(response).get("state").asText() : "HTTP " + response.statusCode();
    }
}
