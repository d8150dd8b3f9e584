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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client- and cluster-mode pools against a real standalone master and worker on 127.0.0.1: a
 * Python app runs to success with its driver's stdout in the spool and its UI link; cancel kills
 * an app or a driver on the cluster; a cluster-mode driver's output is followed from the Spark
 * worker's log endpoint (no {@code driverLogDir}) while it runs and across a worker restart; a
 * retry kills the driver an earlier attempt left on the master before it submits its own. One
 * cluster for the class: each start costs 10-20 s.
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
    private static SparkSubmitConfig clusterMode;
    private static Map<String, String> env;

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
        env = new HashMap<>(System.getenv());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        client = new SparkSubmitLauncher(config, spool, env, Duration.ofSeconds(10));
        // no driverLogDir: the driver's logs come from the Spark worker's log endpoint
        clusterMode = spark.config("local[*]").withPool(PoolsFile.parse("pools:\n  jvm: {master: '"
                + sparkCluster.restUrl() + "', deployMode: cluster, masterWebUi: '" + sparkCluster.webUiUrl()
                + "', driverLogPollSeconds: 1, conf: {spark.cores.max: '1', spark.driver.memory: 512m,"
                + " spark.executor.memory: 512m}}\n", "test").pools().get("jvm").backend());
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
    void a_jvm_app_in_a_cluster_mode_pool_runs_on_the_cluster_with_its_driver_output_in_the_spool_without_a_driver_log_dir() throws Exception {
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
    void a_cluster_mode_driver_s_output_is_followed_while_it_runs_and_across_a_worker_restart() throws Exception {
        Path jar = StandaloneSparkCluster.linesJar(dir);
        RunAssignment lines = Runs.of("sa-jvm-lines", "jvm", new io.kindling.schemas.Application(
                io.kindling.schemas.ApplicationType.JVM, jar.toString(), "KindlingLines", java.util.List.of("40", "300")),
                Map.of(), Map.of());
        SparkSubmitLauncher first = new SparkSubmitLauncher(clusterMode, spool, env, Duration.ofSeconds(10));
        LaunchedApp app = started(first.launch(lines));
        String driverId = app.awaitAppId().orElseThrow(() -> new AssertionError("no driver id; stderr:\n" + stderr(lines)));

        // while the driver runs, its first lines are in the spool already
        await().atMost(Duration.ofSeconds(90)).until(() -> stdout(lines).contains("line 3\n"));
        assertThat(sparkCluster.driverState(driverId)).hasValue("RUNNING");
        // the worker restarts: a new launcher adopts the attempt, whose follower never stopped
        first.close();
        SparkSubmitLauncher restarted = new SparkSubmitLauncher(clusterMode, spool, env, Duration.ofSeconds(10));
        Adoption adoption = restarted.adopt(lines);
        assertThat(adoption).isInstanceOf(Adoption.Running.class);
        AppExit exit = ((Adoption.Running) adoption).app().awaitExit();
        restarted.close();

        assertThat(exit.exitCode()).as("stderr:\n%s", stderr(lines)).isZero();
        java.util.List<String> expected = java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(i -> "line " + i).toList();
        assertThat(stdout(lines).lines().toList()).as("every line once, in order").isEqualTo(expected);
        assertThat(stderr(lines).lines().filter(l -> l.startsWith("err ")).toList())
                .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(i -> "err " + i).toList());
        assertThat(stderr(lines)).contains("Launch Command: ").contains("kindling: driver " + driverId
                + " ended in state FINISHED").doesNotContain("LOG GAP");
        DriverLogRecord record = io.kindling.worker.shim.AtomicFiles.readJson(spool.attemptDir(lines.attemptId())
                .resolve(DriverLogRecord.FILE), DriverLogRecord.class).orElseThrow();
        assertThat(record.driverId()).isEqualTo(driverId);
        assertThat(record.stdout().offset()).as("stdout holds the driver's bytes only")
                .isEqualTo(Files.size(spool.stream(lines.attemptId(), "stdout")));

        // a follower started again resumes at the exact byte: half of stdout was copied (7 bytes after the
        // position it saved), the rest comes from the Spark worker
        byte[] all = Files.readAllBytes(spool.stream(lines.attemptId(), "stdout"));
        int half = all.length / 2;
        Path again = Files.createDirectories(dir.resolve("resumed"));
        Files.write(again.resolve("stdout"), java.util.Arrays.copyOf(all, half));
        Files.writeString(again.resolve("stderr"), "");
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        DriverLogFollower resumed = new DriverLogFollower(new StandaloneMasterUi(http, sparkCluster.webUiUrl()),
                new SparkWorkerLogPage(http), driverId, again, new DriverLogRecord(driverId,
                        new DriverLogRecord.Position(half - 7, half - 7), new DriverLogRecord.Position(0, 0)));
        resumed.drain(Duration.ofSeconds(60), Duration.ofMillis(500));
        assertThat(Files.readAllBytes(again.resolve("stdout"))).isEqualTo(all);
        assertThat(Files.readString(again.resolve("stderr")).lines().filter(l -> l.startsWith("err ")).count()).isEqualTo(40);
    }

    @Test
    void a_retry_kills_the_driver_an_earlier_attempt_left_on_the_master_before_it_submits() throws Exception {
        Path jar = StandaloneSparkCluster.waitingJar(dir);
        RunAssignment first = Runs.of("sa-jvm-orphan", "jvm", new io.kindling.schemas.Application(
                io.kindling.schemas.ApplicationType.JVM, jar.toString(), "KindlingWait", java.util.List.of("300")),
                Map.of(), Map.of());
        LaunchedApp app = started(cluster.launch(first));
        String orphan = app.awaitAppId().orElseThrow(() -> new AssertionError("no driver id; stderr:\n" + stderr(first)));
        await().atMost(Duration.ofSeconds(90)).until(() -> sparkCluster.driverState(orphan).equals(java.util.Optional.of("RUNNING")));
        // the worker host dies: its attempt shim and follower are gone, the driver runs on in the Spark worker
        ProcessHandle shim = ProcessHandle.of(io.kindling.worker.shim.AtomicFiles.readJson(spool.attemptDir(first.attemptId())
                .resolve(io.kindling.worker.shim.AttemptShim.SHIM_FILE), io.kindling.worker.shim.ShimInfo.class)
                .orElseThrow().shimPid()).orElseThrow();
        shim.descendants().forEach(ProcessHandle::destroyForcibly);
        shim.destroyForcibly();
        await().atMost(Duration.ofSeconds(30)).until(() -> !shim.isAlive());
        assertThat(sparkCluster.driverState(orphan)).hasValue("RUNNING");

        RunAssignment retry = RunAssignment.of(first.jobId(), 2, first.spec(), first.assignedAt());
        java.util.List<java.util.List<String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        String retried;
        // samples the master's active drivers every 100 ms during the retry; close() stops it and awaits the last look
        try (ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("active-drivers-sampler").daemon().factory())) {
            sampler.scheduleAtFixedRate(() -> {
                try {
                    seen.add(sparkCluster.activeDrivers());
                } catch (IOException e) {
                    // the next look
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            LaunchedApp second = started(cluster.launch(retry));
            retried = second.awaitAppId().orElseThrow(() -> new AssertionError("no driver id; stderr:\n" + stderr(retry)));
            await().atMost(Duration.ofSeconds(90)).until(() -> seen.stream().anyMatch(ids -> ids.contains(retried)));
        }

        assertThat(sparkCluster.driverState(orphan)).as("the earlier attempt's driver").hasValue("KILLED");
        assertThat(seen).as("the master's active drivers, looked at every 100 ms during the retry")
                .noneMatch(ids -> ids.contains(orphan) && ids.contains(retried));
        assertThat(Files.readString(spool.attemptDir(retry.attemptId()).resolve(io.kindling.worker.shim.AttemptShim.SHIM_LOG)))
                .contains("--kill " + orphan);
        assertThat(cluster.cancel(retry.attemptId())).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> !sparkCluster.activeDrivers().contains(retried));
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

    private static String stdout(RunAssignment run) throws IOException {
        Path file = spool.stream(run.attemptId(), "stdout");
        return Files.exists(file) ? Files.readString(file) : "";
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
