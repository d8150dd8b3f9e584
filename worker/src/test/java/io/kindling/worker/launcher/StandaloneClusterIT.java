package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.pools.PoolsFile;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.spark.StandaloneSparkCluster;
import io.kindling.worker.Runs;
import io.kindling.worker.SparkInstallation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client-mode pool against a real standalone master and worker on 127.0.0.1: a Python app
 * runs to success with its driver's stdout in the spool and its UI link, and cancel kills an
 * app on the cluster. One cluster for the class: each start costs 10-20 s.
 */
@Timeout(300)
class StandaloneClusterIT {
    @TempDir
    static Path dir;
    private static StandaloneSparkCluster sparkCluster;
    private static SparkInstallation spark;
    private static SpoolLayout spool;
    private static SparkSubmitLauncher client;
    private static SparkSubmitLauncher cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        spark = SparkInstallation.find();
        sparkCluster = StandaloneSparkCluster.start(spark.sparkHome(), spark.javaHome(), dir);
        spool = new SpoolLayout(dir.resolve("spool"));
        int first = StandaloneSparkCluster.freePort();
        SparkSubmitConfig config = spark.config("local[*]").withPool(PoolsFile.parse("pools:\n  onprem: {master: '"
                + sparkCluster.masterUrl() + "', deployMode: client, driverHost: 127.0.0.1, driverPortRange: " + first + "-"
                + (first + 20) + ", conf: {spark.cores.max: '1', spark.executor.memory: 512m}}\n", "test")
                .pools().get("onprem").backend());
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        client = new SparkSubmitLauncher(config, spool, env, Duration.ofSeconds(10));
        SparkSubmitConfig clusterMode = spark.config("local[*]").withPool(PoolsFile.parse("pools:\n  jvm: {master: '"
                + sparkCluster.restUrl() + "', deployMode: cluster, driverLogDir: '" + sparkCluster.workDir()
                + "', conf: {spark.cores.max: '1', spark.driver.memory: 512m, spark.executor.memory: 512m}}\n", "test")
                .pools().get("jvm").backend());
        cluster = new SparkSubmitLauncher(clusterMode, spool, env, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stopCluster() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (sparkCluster != null) {
            sparkCluster.close();
        }
    }

    @Test
    void a_python_app_in_a_client_mode_pool_succeeds_on_the_cluster() throws Exception {
        RunAssignment pi = Runs.python("sa-pi", "onprem", spark.example("pi.py").toString(), "2");

        LaunchedApp app = started(client.launch(pi));

        assertThat(app.sparkUiUrl()).hasValueSatisfying(url -> assertThat(url).startsWith("http://127.0.0.1:"));
        assertThat(app.awaitAppId()).as("stderr:\n%s", stderr(pi)).hasValueSatisfying(id -> assertThat(id).startsWith("app-"));
        AppExit exit = app.awaitExit();
        assertThat(exit.exitCode()).as("stderr:\n%s", stderr(pi)).isZero();
        assertThat(Files.readString(spool.stream(pi.attemptId(), "stdout"))).contains("Pi is roughly");
    }

    @Test
    void cancel_kills_a_client_mode_app_on_the_cluster() throws Exception {
        RunAssignment sleep = Runs.python("sa-sleep", "onprem", spark.example("sleep.py").toString(), "120");

        LaunchedApp app = started(client.launch(sleep));
        String appId = app.awaitAppId().orElseThrow(() -> new AssertionError("no app id; stderr:\n" + stderr(sleep)));
        await().atMost(Duration.ofSeconds(60)).until(() -> sparkCluster.activeApps().contains(appId));

        assertThat(client.cancel(sleep.attemptId())).isTrue();

        assertThat(app.awaitExit().cancelled()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> !sparkCluster.activeApps().contains(appId));
    }

    @Test
    void a_jvm_app_in_a_cluster_mode_pool_runs_on_the_cluster_with_its_driver_output_in_the_spool() throws Exception {
        Path jar = spark.example("jvm-pi/target/kindling-example-jvm-pi-0.1.0-SNAPSHOT.jar");
        RunAssignment pi = Runs.of("sa-jvm-pi", "jvm", new io.kindling.schemas.Application(io.kindling.schemas.ApplicationType.JVM,
                jar.toString(), "io.kindling.examples.JavaPi", java.util.List.of("2")), Map.of(), Map.of());

        LaunchedApp app = started(cluster.launch(pi));

        assertThat(app.awaitAppId()).as("stderr:\n%s", stderr(pi)).hasValueSatisfying(id -> assertThat(id).startsWith("driver-"));
        AppExit exit = app.awaitExit();
        assertThat(exit.exitCode()).as("stderr:\n%s", stderr(pi)).isZero();
        assertThat(Files.readString(spool.stream(pi.attemptId(), "stdout"))).contains("Pi is roughly");
    }

    @Test
    void cancel_kills_a_cluster_mode_driver_on_the_cluster() throws Exception {
        Path jar = StandaloneSparkCluster.waitingJar(dir);
        RunAssignment wait = Runs.of("sa-jvm-wait", "jvm", new io.kindling.schemas.Application(io.kindling.schemas.ApplicationType.JVM,
                jar.toString(), "KindlingWait", java.util.List.of("300")), Map.of(), Map.of());

        LaunchedApp app = started(cluster.launch(wait));
        String driverId = app.awaitAppId().orElseThrow(() -> new AssertionError("no driver id; stderr:\n" + stderr(wait)));
        await().atMost(Duration.ofSeconds(60)).until(() -> sparkCluster.activeDrivers().contains(driverId));

        assertThat(cluster.cancel(wait.attemptId())).isTrue();

        assertThat(app.awaitExit().cancelled()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> !sparkCluster.activeDrivers().contains(driverId));
    }

    @Test
    void a_python_app_sent_to_a_cluster_mode_pool_is_refused() throws Exception {
        RunAssignment py = Runs.python("sa-py-cluster", "jvm", spark.example("pi.py").toString(), "2");

        assertThat(cluster.launch(py)).isInstanceOfSatisfying(Launch.Refused.class,
                r -> assertThat(r.message()).contains("use a client-mode pool"));
    }

    private static String stderr(RunAssignment run) {
        try {
            return Files.readString(spool.stream(run.attemptId(), "stderr"));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static LaunchedApp started(Launch launch) {
        assertThat(launch).as("%s", launch).isInstanceOf(Launch.Started.class);
        return ((Launch.Started) launch).app();
    }
}
