package io.kindling.e2e.crash;

import static org.awaitility.Awaitility.await;

import io.kindling.e2e.ProjectTools;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.SharedKafka;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The components of a crash test, each a JVM of its own ({@link ComponentProcess}) against the shared
 * Kafka broker under one topic prefix, and an admin's HTTP client for the api on a port from the OS.
 * The crash tests add the components they need, start them, and close the stack in {@code @AfterEach}.
 */
final class CrashStack implements AutoCloseable {
    private final Path dir;
    private final Path logs;
    private final String prefix;
    private final List<ComponentProcess> components = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final TestTokens tokens = TestTokens.admin();
    private final String authorization = tokens.get("admin").bearer();
    private final int apiPort;

    /**
     * @param dir    the test's directory: components' homes, the blob store, the tokens file
     * @param logs   where each component's output goes ({@code <name>.log})
     * @param prefix the topic prefix of this run
     */
    CrashStack(Path dir, Path logs, String prefix) throws IOException {
        this.dir = dir;
        this.logs = logs;
        this.prefix = prefix;
        this.apiPort = freePort();
    }

    String prefix() {
        return prefix;
    }

    /** A component on the broker under this stack's topic prefix, its home {@code dir/<name>} unless given. */
    ComponentProcess onKafka(String name, String mainClass, Map<String, String> own) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", SharedKafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", prefix,
                "KINDLING_TOPIC_PARTITIONS", "3"));
        env.putAll(own);
        return component(name, mainClass, env);
    }

    /** A component with this environment only (besides its home {@code dir/<name>} unless given). */
    ComponentProcess component(String name, String mainClass, Map<String, String> own) {
        Map<String, String> env = new HashMap<>(own);
        env.putIfAbsent("KINDLING_HOME", dir.resolve(name).toString());
        ComponentProcess c = new ComponentProcess(name, mainClass, env, logs.resolve(name + ".log"));
        components.add(c);
        return c;
    }

    /** The api on this stack's port, with a local blob store in {@code dir/blobs} and the admin's token. */
    ComponentProcess api() throws IOException {
        return onKafka("api", "io.kindling.api.ApiMain", Map.of(
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_HTTP_PORT", Integer.toString(apiPort),
                "KINDLING_BLOB_STORE", "local",
                "KINDLING_BLOB_DIR", dir.resolve("blobs").toString(),
                "KINDLING_AUTH_TOKENS_FILE", tokens.write(dir.resolve("tokens.yaml")).toString()));
    }

    void startAll() throws IOException {
        for (ComponentProcess c : components) {
            c.start();
        }
    }

    /** How often each component was restarted, e.g. {@code [api=2, worker=1]}. */
    List<String> restarts() {
        return components.stream().map(c -> c.name() + "=" + (c.starts() - 1)).toList();
    }

    /**
     * Submits with an idempotency key, retrying for up to 3 minutes while the api is down or restarting:
     * one job whatever happens. Returns the job's id.
     */
    String submit(String key, String body) {
        AtomicReference<String> last = new AtomicReference<>("nothing yet");
        HttpResponse<String> response;
        try {
            response = await("submit " + key)
                    .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> http.send(HttpRequest.newBuilder(uri("/v1/jobs"))
                                    .header("Content-Type", "application/json").header("Idempotency-Key", key)
                                    .header("Authorization", authorization)
                                    .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString()),
                            r -> {
                                last.set(r.statusCode() + " " + r.body());
                                return r.statusCode() == 202 || r.statusCode() == 200;
                            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("submit " + key + ": last answer " + last.get(), e);
        }
        String json = response.body();
        int start = json.indexOf("\"id\":\"") + 6;
        return json.substring(start, json.indexOf('"', start));
    }

    /** GET {@code pathAndQuery} as the admin, the body read as UTF-8. */
    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery))
                .header("Authorization", authorization).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    void awaitApiReady() {
        await("api ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> http.send(HttpRequest.newBuilder(uri("/health/ready"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode() == 200);
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + apiPort + pathAndQuery);
    }

    /** Stops every component (SIGTERM, then SIGKILL). */
    @Override
    public void close() throws InterruptedException {
        for (ComponentProcess component : components) {
            component.stop();
        }
    }

    /** The python the stand-in spark-submit runs on: the project's Spark venv, else the system's python3. */
    static Path python() {
        Path venv = ProjectTools.projectDir().resolve(".tools/spark-venv/bin/python");
        if (Files.isExecutable(venv)) {
            return venv;
        }
        for (String candidate : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("no python3 for the stand-in spark-submit: run ./kindling provision");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
