package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.config.KnownKeys;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker killed with SIGKILL while it runs a real PySpark job ({@code examples/sleep.py}) loses
 * nothing: the job keeps running under its attempt shim, and a new worker process with the same
 * id adopts it (no second spark-submit), heartbeats it and reports its end, also when the job
 * ended while no worker ran (its exit code then comes from the shim's exit record). Each worker
 * is {@code WorkerMain} in a child JVM on the test classpath.
 */
@ExtendWith(KafkaTestExtension.class)
@Timeout(240)
class WorkerAdoptionIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    private final List<Process> workers = new ArrayList<>();
    private String attemptId;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process worker : workers) {
            worker.destroy();
            if (!worker.waitFor(20, TimeUnit.SECONDS)) {
                worker.destroyForcibly();
            }
        }
        if (attemptId != null) {
            AttemptProcesses.killAll(attemptId);
        }
    }

    @Test
    void aRestartedWorkerAdoptsTheAttemptItsKilledPredecessorLeftRunning(KafkaFixture kafka) throws Exception {
        SparkInstallation spark = SparkInstallation.find();
        Map<String, String> env = env(kafka, spark);

        ProcessHandle sparkSubmit = killWorkerOnceRunning(kafka, env, sleep(spark, "job-adopt", 15));
        Instant killedAt = Instant.now();
        assertThat(sparkSubmit.isAlive()).as("the job survives its worker").isTrue();

        startWorker(env, "worker-2.log");
        await().atMost(WAIT).until(() -> reports(kafka).stream().anyMatch(r -> r.type() == AttemptReport.Type.HEARTBEAT
                && r.time().isAfter(killedAt)));
        assertThat(AttemptProcesses.sparkSubmits(attemptId)).as("no second spark-submit").containsExactly(sparkSubmit);

        await().atMost(WAIT).until(() -> states(kafka).contains(JobState.SUCCEEDED));
        List<AttemptReport> states = reports(kafka).stream().filter(r -> r.type() == AttemptReport.Type.STATE).toList();
        // the adopting worker reports RUNNING again (it cannot know whether its predecessor's was acknowledged)
        assertThat(states.stream().map(AttemptReport::state).distinct())
                .containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
        assertThat(states).allSatisfy(r -> assertThat(r.workerId()).isEqualTo("adopt-it"));
        assertThat(states.get(states.size() - 1).exitCode()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> AttemptProcesses.mentioning(attemptId).isEmpty());
    }

    @Test
    void aRestartedWorkerReportsTheExitOfAnAttemptThatEndedWhileNoWorkerRan(KafkaFixture kafka) throws Exception {
        SparkInstallation spark = SparkInstallation.find();
        Map<String, String> env = env(kafka, spark);
        Path spool = tmp.resolve("spool");

        ProcessHandle sparkSubmit = killWorkerOnceRunning(kafka, env, sleep(spark, "job-ended", 2));

        // the driver runs to its end with no worker; its shim records the exit code
        Path record = spool.resolve(".exits").resolve(attemptId + ".json");
        await().atMost(WAIT).until(() -> !sparkSubmit.isAlive() && Files.exists(record));
        assertThat(Json.decode(Files.readAllBytes(record), io.kindling.worker.shim.ExitRecord.class).exit().exitCode())
                .isZero();
        assertThat(spool.resolve(attemptId).resolve("exit.json")).as("written by the worker, not the shim")
                .doesNotExist();
        assertThat(states(kafka)).doesNotContain(JobState.SUCCEEDED);

        startWorker(env, "worker-2.log");
        await().atMost(WAIT).until(() -> states(kafka).contains(JobState.SUCCEEDED));
        AttemptReport end = reports(kafka).stream().filter(r -> r.state() == JobState.SUCCEEDED).findFirst().orElseThrow();
        assertThat(end.exitCode()).isZero();
        assertThat(end.sparkAppId()).as("found in the event log by the worker").startsWith("local-");
        assertThat(spool.resolve(attemptId).resolve("exit.json")).exists();
        assertThat(AttemptProcesses.sparkSubmits(attemptId)).as("never launched again").isEmpty();
    }

    private RunAssignment sleep(SparkInstallation spark, String jobId, int seconds) {
        RunAssignment run = Runs.of(jobId, "adopt", new Application(ApplicationType.PYTHON,
                spark.example("sleep.py").toString(), null, List.of(Integer.toString(seconds))),
                Map.of("spark.ui.enabled", "false"), Map.of());
        attemptId = run.attemptId();
        return run;
    }

    /** Starts a worker, hands it {@code run}, SIGKILLs it once the run is RUNNING; returns the run's spark-submit. */
    private ProcessHandle killWorkerOnceRunning(KafkaFixture kafka, Map<String, String> env, RunAssignment run)
            throws Exception {
        Process first = startWorker(env, "worker-1.log");
        kafka.send(kafka.topic("runs.adopt"), run.jobId(), Json.encode(run));
        await().atMost(WAIT).until(() -> states(kafka).contains(JobState.RUNNING));
        assertThat(AttemptProcesses.sparkSubmits(attemptId)).hasSize(1);
        ProcessHandle sparkSubmit = AttemptProcesses.sparkSubmits(attemptId).get(0);
        first.destroyForcibly().waitFor();
        return sparkSubmit;
    }

    private Map<String, String> env(KafkaFixture kafka, SparkInstallation spark) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> key.startsWith("KINDLING_") && !KnownKeys.ALL.contains(key));
        env.put("KINDLING_WORKER_LOCAL_PATHS", spark.projectDir().resolve("examples").toString());
        env.putAll(Map.of(
                "KINDLING_WORKER_ID", "adopt-it",
                "KINDLING_WORKER_POOL", "adopt",
                "KINDLING_WORKER_HEARTBEAT_SECONDS", "1",
                "KINDLING_SPARK_HOME", spark.sparkHome().toString(),
                "KINDLING_SPARK_JAVA_HOME", spark.javaHome().toString(),
                "KINDLING_PYSPARK_PYTHON", spark.python().toString(),
                "KINDLING_SPARK_MASTER", "local[1]",
                "KINDLING_SPOOL_DIR", tmp.resolve("spool").toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix()));
        return env;
    }

    private Process startWorker(Map<String, String> env, String log) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                WorkerMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(log).toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().putIfAbsent("KINDLING_METRICS_PORT", "0"); // a free port: several may run at once
        Process worker = builder.start();
        workers.add(worker);
        return worker;
    }

    private static List<AttemptReport> reports(KafkaFixture kafka) {
        try {
            return kafka.awaitRecords(kafka.topic("attempts.reports"), 1, Duration.ofSeconds(2)).stream()
                    .map(r -> Json.decode(r.value(), AttemptReport.class)).toList();
        } catch (AssertionError none) {
            return List.of();
        }
    }

    private static List<JobState> states(KafkaFixture kafka) {
        return reports(kafka).stream().filter(r -> r.type() == AttemptReport.Type.STATE).map(AttemptReport::state)
                .toList();
    }
}
