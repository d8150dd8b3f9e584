package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.AttemptView;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import java.nio.file.Path;
import java.time.Duration;
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
    private static E2eStack e2e;
    private static KindlingClient client;

    @BeforeAll
    static void startStack(AzuriteFixture azurite) throws Exception {
        e2e = E2eStack.start("skeleton", home, azurite, Map.of("KINDLING_WORKER_MAX_RUNNING", "3"));
        client = e2e.client();
    }

    @AfterAll
    static void stopStack() {
        if (e2e != null) {
            e2e.close();
        }
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
        String id = client.submit(python("pi.py", "2"));
        JobView view = client.awaitTerminal(id, JOB_DEADLINE);
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
        String id = client.submit("""
                {"name": "jvm-pi", "application": {"type": "jvm", "file": "%s",
                 "mainClass": "io.kindling.examples.JavaPi", "args": ["2"]},
                 "conf": {"spark.ui.enabled": "false"}}
                """.formatted(jar));
        JobView view = client.awaitTerminal(id, JOB_DEADLINE);
        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.log(id, "stdout").contains("Pi is roughly"));
    }

    @Test
    void failingScriptEndsFailedWithItsExitCodeAndStderr() throws Exception {
        String id = client.submit(python("fail.py", "3"));
        JobView view = client.awaitTerminal(id, JOB_DEADLINE);
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

    @Test
    void appExiting3WithThreeAttemptsFailsAfterExactlyThreeSpacedByTheBackoff() throws Exception {
        Path file = ProjectTools.projectDir().resolve("examples/fail.py");
        String id = client.submit("""
                {"name": "retry", "application": {"type": "python", "file": "%s", "args": ["3"]},
                 "conf": {"spark.ui.enabled": "false"},
                 "retry": {"maxAttempts": 3, "initialBackoffSeconds": 2, "maxBackoffSeconds": 4}}
                """.formatted(file));
        JobView view = client.awaitTerminal(id, JOB_DEADLINE);
        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.FAILED);
        assertThat(view.attempts()).as("attempts of %s", id).hasSize(3).allSatisfy(a -> {
            assertThat(a.state()).isEqualTo(JobState.FAILED);
            assertThat(a.reason()).isEqualTo(FailureReason.APP_FAILED);
            assertThat(a.exitCode()).isEqualTo(3);
        });
        for (int i = 1; i < 3; i++) {
            Duration gap = Duration.between(view.attempts().get(i - 1).finishedAt(), view.attempts().get(i).createdAt());
            // exponential backoff from 2 s with +-50 % jitter: never less than 1 s
            assertThat(gap).as("backoff before attempt %d", i + 1).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
    }

    @Test
    void cancelOfARunningFiveMinuteJobEndsCancelledWithinTenSecondsAndLeavesNoProcess() throws Exception {
        String id = client.submit(python("sleep.py", "300"));
        await().atMost(JOB_DEADLINE).until(() -> client.job(id).state() == JobState.RUNNING);
        String attemptId = client.job(id).attempts().get(0).attemptId();
        // the shim, spark-submit and its JVM name the attempt; the Python driver is their descendant
        java.util.List<ProcessHandle> tree = await().atMost(Duration.ofSeconds(30))
                .until(() -> treeOf(attemptId), t -> t.stream().anyMatch(p -> p.info().command()
                        .map(c -> c.contains("python")).orElse(false)));

        long start = System.nanoTime();
        assertThat(client.post("/v1/jobs/" + id + "/cancel", "{\"reason\": \"test\"}").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.job(id).state() == JobState.CANCELLED);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        await().atMost(Duration.ofSeconds(10)).until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(treeOf(attemptId)).as("processes of %s left", attemptId).isEmpty();
        assertThat(took).isLessThan(Duration.ofSeconds(10));
        assertThat(client.post("/v1/jobs/" + id + "/cancel", "{}").status()).as("cancel of a finished job").isEqualTo(200);
    }

    /** Live processes whose command line names the attempt, and all their descendants. */
    private static java.util.List<ProcessHandle> treeOf(String attemptId) {
        java.util.Set<ProcessHandle> tree = new java.util.LinkedHashSet<>();
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(attemptId)).orElse(false))
                .forEach(p -> {
                    tree.add(p);
                    p.descendants().forEach(tree::add);
                });
        return tree.stream().filter(ProcessHandle::isAlive).toList();
    }
}
