package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.AttemptView;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import io.kindling.testsupport.spark.StandaloneSparkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone pools through the api: the whole stack with a pools file naming a client-mode and a
 * cluster-mode pool of a real standalone master and worker on 127.0.0.1 (one cluster for the class).
 * A Python app runs in the client pool, a JVM app in the cluster pool (its driver's output read from
 * the Spark worker's log endpoint, with no {@code driverLogDir} and no shared directory, and
 * shipped), and a Python app sent to the cluster pool is rejected by the dispatcher.
 */
@ExtendWith(SharedAzurite.class)
@Timeout(600)
class StandalonePoolsIT {
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(4);

    @TempDir
    static Path home;
    private static StandaloneSparkCluster spark;
    private static E2eStack e2e;
    private static KindlingClient client;

    @BeforeAll
    static void startClusterAndStack(AzuriteFixture azurite) throws Exception {
        spark = ProjectTools.standaloneCluster(home.resolve("spark"));
        int first = StandaloneSparkCluster.freePort();
        Path pools = Files.writeString(home.resolve("pools.yaml"), """
                pools:
                  onprem:
                    master: '%s'
                    deployMode: client
                    driverHost: 127.0.0.1
                    driverPortRange: %d-%d
                    conf: {spark.cores.max: '1', spark.executor.memory: 512m}
                  onprem-jvm:
                    master: '%s'
                    deployMode: cluster
                    masterWebUi: '%s'
                    driverLogPollSeconds: 1
                    conf: {spark.cores.max: '1', spark.driver.memory: 512m, spark.executor.memory: 512m}
                """.formatted(spark.masterUrl(), first, first + 20, spark.restUrl(), spark.webUiUrl()));
        e2e = E2eStack.start("standalone", home, azurite, Map.of(
                "KINDLING_CONFIG", pools.toString(),
                "KINDLING_POOLS", "onprem,onprem-jvm",
                "KINDLING_WORKER_POOL", "onprem,onprem-jvm"));
        client = e2e.client();
    }

    @AfterAll
    static void stop() {
        if (e2e != null) {
            e2e.close();
        }
        if (spark != null) {
            spark.close();
        }
    }

    @Test
    void aPythonAppInTheClientModePoolSucceedsWithItsStdoutAndUiLink() throws Exception {
        Path file = ProjectTools.projectDir().resolve("examples/pi.py");
        String id = client.submit("""
                {"name": "sa-pi", "pool": "onprem", "application": {"type": "python", "file": "%s", "args": ["2"]}}
                """.formatted(file));

        JobView view = client.awaitTerminal(id, JOB_DEADLINE);

        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);
        AttemptView attempt = view.attempts().get(0);
        assertThat(attempt.sparkUiUrl()).as("attempt %s", attempt).startsWith("http://127.0.0.1:");
        assertThat(attempt.sparkAppId()).startsWith("app-");
        await().atMost(Duration.ofSeconds(30)).until(() -> client.log(id, "stdout").contains("Pi is roughly"));
    }

    @Test
    void aJvmAppInTheClusterModePoolSucceedsWithItsDriverStdoutReadableWithoutADriverLogDir() throws Exception {
        Path jar = ProjectTools.projectDir().resolve("examples/jvm-pi/target/kindling-example-jvm-pi-0.1.0-SNAPSHOT.jar");
        assertThat(jar).as("the JVM example is built by the reactor before e2e").exists();
        String id = client.submit("""
                {"name": "sa-jvm-pi", "pool": "onprem-jvm", "application": {"type": "jvm", "file": "%s",
                 "mainClass": "io.kindling.examples.JavaPi", "args": ["2"]},
                 "conf": {"spark.ui.enabled": "false"}}
                """.formatted(jar));

        JobView view = client.awaitTerminal(id, JOB_DEADLINE);

        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);
        assertThat(view.attempts().get(0).sparkAppId()).startsWith("driver-");
        await().atMost(Duration.ofSeconds(30)).until(() -> client.log(id, "stdout").contains("Pi is roughly"));
    }

    @Test
    void aPythonAppSentToTheClusterModePoolIsRejected() throws Exception {
        Path file = ProjectTools.projectDir().resolve("examples/pi.py");
        String id = client.submit("""
                {"name": "sa-py-cluster", "pool": "onprem-jvm", "application": {"type": "python", "file": "%s"}}
                """.formatted(file));

        JobView view = client.awaitTerminal(id, JOB_DEADLINE);

        assertThat(view.state()).isEqualTo(JobState.REJECTED);
        assertThat(view.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(view.message()).contains("Python applications cannot run in cluster mode on a standalone cluster"
                + " (pool 'onprem-jvm'): use a client-mode pool");
        assertThat(view.attempts()).isEmpty();
    }
}
