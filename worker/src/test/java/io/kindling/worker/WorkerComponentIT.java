package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The whole worker as the embedded launcher starts it: real Kafka, real spark-submit, examples/pi.py. */
@ExtendWith(KafkaTestExtension.class)
@Timeout(180)
class WorkerComponentIT {

    @Test
    void runsPiFromTheRunsTopicToSucceeded(KafkaFixture kafka, @TempDir Path spoolDir) throws Exception {
        SparkInstallation spark = SparkInstallation.find();
        Map<String, String> env = Map.of(
                "KINDLING_WORKER_ID", "component-it",
                "KINDLING_WORKER_POOL", "spark",
                "KINDLING_SPARK_HOME", spark.sparkHome().toString(),
                "KINDLING_SPARK_JAVA_HOME", spark.javaHome().toString(),
                "KINDLING_PYSPARK_PYTHON", spark.python().toString(),
                "KINDLING_SPARK_MASTER", "local[2]",
                "KINDLING_SPOOL_DIR", spoolDir.toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix());
        RunAssignment run = Runs.python("job-pi", "spark", spark.example("pi.py").toString(), "2");

        try (WorkerComponent component = WorkerComponent.start(env)) {
            await().atMost(Duration.ofSeconds(30)).until(component.worker()::assigned);
            kafka.send(kafka.topic("runs.spark"), run.jobId(), Json.encode(run));

            List<JobEvent> events = kafka.awaitRecords(kafka.topic("jobs.events"), 3, Duration.ofSeconds(150)).stream()
                    .map(r -> Json.decode(r.value(), JobEvent.class)).toList();

            SpoolLayout spool = new SpoolLayout(spoolDir);
            assertThat(events).extracting(JobEvent::state)
                    .as("stderr:\n%s", Files.readString(spool.stream(run.attemptId(), "stderr")))
                    .containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
            assertThat(events.get(1).sparkAppId()).startsWith("local-");
            assertThat(events.get(2).exitCode()).isZero();
            assertThat(Files.readString(spool.stream(run.attemptId(), "stdout"))).contains("Pi is roughly");
            assertThat(spool.exitFile(run.attemptId())).exists();
        }
    }
}
