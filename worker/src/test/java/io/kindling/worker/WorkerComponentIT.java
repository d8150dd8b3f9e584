package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.WorkerControl;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.ShimInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole worker as the embedded launcher starts it, on real Kafka and real spark-submit: a
 * five-minute PySpark job ({@code examples/sleep.py 300}) is cancelled through the control topic
 * and must end CANCELLED within 10 s with no process of it left.
 */
@ExtendWith(KafkaTestExtension.class)
@Timeout(180)
class WorkerComponentIT {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerComponentIT.class);

    @Test
    void cancellingARunningFiveMinuteJobEndsItCancelledWithin10sWithNoProcessLeft(KafkaFixture kafka,
            @TempDir Path spoolDir) throws Exception {
        SparkInstallation spark = SparkInstallation.find();
        Map<String, String> env = Map.of(
                "KINDLING_WORKER_ID", "component-it",
                "KINDLING_WORKER_POOL", "spark",
                "KINDLING_WORKER_LOCAL_PATHS", spark.projectDir().resolve("examples").toString(),
                "KINDLING_SPARK_HOME", spark.sparkHome().toString(),
                "KINDLING_SPARK_JAVA_HOME", spark.javaHome().toString(),
                "KINDLING_PYSPARK_PYTHON", spark.python().toString(),
                "KINDLING_SPARK_MASTER", "local[1]",
                "KINDLING_SPOOL_DIR", spoolDir.toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix());
        RunAssignment run = Runs.of("job-sleep", "spark", new Application(ApplicationType.PYTHON,
                spark.example("sleep.py").toString(), null, List.of("300")), Map.of("spark.ui.enabled", "false"),
                Map.of());
        SpoolLayout spool = new SpoolLayout(spoolDir);

        try (WorkerComponent component = WorkerComponent.start(env)) {
            kafka.send(kafka.topic("runs.spark"), run.jobId(), Json.encode(run));
            await().atMost(Duration.ofSeconds(90)).until(() -> states(kafka, 2).contains(JobState.RUNNING));
            ShimInfo shim = Json.decode(Files.readAllBytes(spool.attemptDir(run.attemptId())
                    .resolve(AttemptShim.SHIM_FILE)), ShimInfo.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(spool.stream(run.attemptId(), "stdout"))
                    .contains("kindling-sleep: 1 s"));
            List<ProcessHandle> tree = AttemptProcesses.tree(ProcessHandle.of(shim.shimPid()).orElseThrow());
            assertThat(tree).as("shim, spark-submit's JVM and the Python driver").hasSizeGreaterThanOrEqualTo(3);
            assertThat(AttemptProcesses.sparkSubmits(run.attemptId())).hasSize(1);

            long cancelledAt = System.nanoTime();
            kafka.send(kafka.topic("workers.control"), run.jobId(), Json.encode(new WorkerControl(
                    WorkerControl.Type.CANCEL, run.jobId(), 1, run.attemptId(), "spark", FailureReason.CANCELLED,
                    "cancelled by the test", Instant.now())));

            await().atMost(Duration.ofSeconds(10)).until(() -> states(kafka, 3).contains(JobState.CANCELLED)
                    && tree.stream().noneMatch(ProcessHandle::isAlive)
                    && AttemptProcesses.mentioning(run.attemptId()).isEmpty());
            LOG.info("cancel took {} ms from the control to CANCELLED with no process left",
                    (System.nanoTime() - cancelledAt) / 1_000_000);
            AttemptReport end = reports(kafka, 3).stream().filter(r -> r.state() == JobState.CANCELLED).findFirst()
                    .orElseThrow();
            assertThat(end.reason()).isEqualTo(FailureReason.CANCELLED);
            assertThat(end.message()).isEqualTo("cancelled by the test");
            assertThat(end.workerId()).isEqualTo("component-it");
            assertThat(spool.exitFile(run.attemptId())).exists();
            assertThat(component.worker().held()).isEmpty();
        } finally {
            AttemptProcesses.killAll(run.attemptId());
        }
    }

    private static List<AttemptReport> reports(KafkaFixture kafka, int atLeast) {
        return kafka.awaitRecords(kafka.topic("attempts.reports"), atLeast, Duration.ofSeconds(5)).stream()
                .map(r -> Json.decode(r.value(), AttemptReport.class)).toList();
    }

    private static List<JobState> states(KafkaFixture kafka, int atLeast) {
        try {
            return reports(kafka, atLeast).stream().filter(r -> r.type() == AttemptReport.Type.STATE)
                    .map(AttemptReport::state).toList();
        } catch (AssertionError notYet) {
            return List.of();
        }
    }
}
