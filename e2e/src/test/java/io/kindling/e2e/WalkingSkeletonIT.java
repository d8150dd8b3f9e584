package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.embedded.EmbeddedStack;
import io.kindling.schemas.AttemptView;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import io.kindling.testsupport.kafka.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One job through every component on real parts: the api over HTTP, a real Kafka broker, the
 * dispatcher, a worker running real spark-submit from the pinned pyspark, the log-shipper into
 * Azurite (the Azure Blob implementation), and the logs read back through the api.
 */
@ExtendWith(SharedAzurite.class)
class WalkingSkeletonIT {
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(4);

    @TempDir
    static Path home;
    private static EmbeddedStack stack;
    private static KindlingClient client;

    @BeforeAll
    static void startStack(AzuriteFixture azurite) throws Exception {
        Map<String, String> env = new HashMap<>(ProjectTools.sparkEnv());
        env.put("KINDLING_HOME", home.toString());
        env.put("KINDLING_EMBEDDED_KAFKA", "false");
        env.put("KINDLING_KAFKA_BOOTSTRAP_SERVERS", SharedKafka.bootstrapServers());
        env.put("KINDLING_TOPIC_PREFIX", "e2e-skeleton.");
        env.put("KINDLING_HTTP_PORT", "0");
        env.put("KINDLING_WORKER_MAX_RUNNING", "3");
        env.put("KINDLING_BLOB_STORE", "azure");
        env.put("KINDLING_AZURE_CONNECTION_STRING", azurite.connectionString());
        env.put("KINDLING_AZURE_CONTAINER", "e2e-skeleton");
        stack = EmbeddedStack.start(env);
        client = new KindlingClient(stack.apiPort());
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/health/ready").status() == 200);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String submit(String body) throws Exception {
        KindlingClient.Response r = client.post("/v1/jobs", body);
        assertThat(r.status()).as("POST /v1/jobs: %s", r.body()).isEqualTo(202);
        return r.json().get("id").asText();
    }

    private static JobView awaitTerminal(String id) {
        return await().atMost(JOB_DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> client.job(id), view -> view.state().terminal());
    }

    private static String python(String script, String... args) {
        Path file = ProjectTools.projectDir().resolve("examples").resolve(script);
        return """
                {"name": "%s", "application": {"type": "python", "file": "%s", "args": [%s]},
                 "conf": {"spark.ui.enabled": "false"}}
                """.formatted(script.replace(".py", ""), file.toUri(), quoted(args));
    }

    private static String quoted(String... args) {
        return String.join(", ", java.util.Arrays.stream(args).map(a -> "\"" + a + "\"").toList());
    }

    @Test
    void pythonPiSucceedsAndItsStdoutIsReadable() throws Exception {
        String id = submit(python("pi.py", "2"));
        JobView view = awaitTerminal(id);
        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);
        AttemptView attempt = view.attempts().get(0);
        assertThat(attempt.exitCode()).isZero();
        assertThat(attempt.sparkAppId()).startsWith("local-");
        assertThat(attempt.startedAt()).isNotNull();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.log(id, "stdout").contains("Pi is roughly"));
        assertThat(client.log(id, "stdout")).containsPattern("Pi is roughly 3\\.\\d+");
    }

    @Test
    void jvmPiSucceedsAndItsStdoutIsReadable() throws Exception {
        Path jar = ProjectTools.projectDir().resolve("examples/jvm-pi/target/kindling-example-jvm-pi-0.1.0-SNAPSHOT.jar");
        assertThat(jar).as("the JVM example is built by the reactor before e2e").exists();
        String id = submit("""
                {"name": "jvm-pi", "application": {"type": "jvm", "file": "%s",
                 "mainClass": "io.kindling.examples.JavaPi", "args": ["2"]},
                 "conf": {"spark.ui.enabled": "false"}}
                """.formatted(jar));
        JobView view = awaitTerminal(id);
        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.log(id, "stdout").contains("Pi is roughly"));
    }

    @Test
    void failingScriptEndsFailedWithItsExitCodeAndStderr() throws Exception {
        String id = submit(python("fail.py", "3"));
        JobView view = awaitTerminal(id);
        assertThat(view.state()).isEqualTo(JobState.FAILED);
        AttemptView attempt = view.attempts().get(0);
        assertThat(attempt.exitCode()).isEqualTo(3);
        assertThat(attempt.reason()).isEqualTo(FailureReason.APP_FAILED);
        assertThat(view.reason()).isEqualTo(FailureReason.APP_FAILED);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> client.log(id, "stderr").contains("failing on purpose with exit code 3"));
    }

    @Test
    void badRequestsGetA400NamingTheProblemAndTheApiKeepsServing() throws Exception {
        KindlingClient.Response malformed = client.post("/v1/jobs", "{\"application\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("code").asText()).isEqualTo("MALFORMED_JSON");

        KindlingClient.Response missingFile = client.post("/v1/jobs", "{\"application\": {\"type\": \"python\"}}");
        assertThat(missingFile.status()).isEqualTo(400);
        assertThat(missingFile.json().get("message").asText()).contains("application.file");

        KindlingClient.Response unknown = client.post("/v1/jobs",
                "{\"application\": {\"type\": \"python\", \"file\": \"/x.py\"}, \"colour\": \"red\"}");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("message").asText()).contains("colour");

        assertThat(client.get("/v1/jobs/no-such-job").status()).isEqualTo(404);
        assertThat(client.get("/health/ready").status()).isEqualTo(200);
    }
}
