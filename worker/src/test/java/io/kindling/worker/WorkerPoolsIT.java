package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import io.kindling.testsupport.spark.StandInSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One worker process serving two pools of a pools file, each with its own Spark home, consumer and worker id. */
@ExtendWith(KafkaTestExtension.class)
@Timeout(120)
class WorkerPoolsIT {

    @Test
    void each_pool_named_in_KINDLING_WORKER_POOL_is_served_with_its_own_backend(KafkaFixture kafka, @TempDir Path dir)
            throws Exception {
        StandInSpark sparkA = StandInSpark.create(dir.resolve("a"), Path.of("/usr/bin/python3"));
        StandInSpark sparkB = StandInSpark.create(dir.resolve("b"), Path.of("/usr/bin/python3"));
        Path pools = Files.writeString(dir.resolve("pools.yaml"), "pools:\n"
                + "  alpha: {sparkHome: '" + sparkA.home() + "', master: 'local[1]'}\n"
                + "  beta: {sparkHome: '" + sparkB.home() + "', master: 'local[2]', conf: {spark.sql.shuffle.partitions: '4'}}\n"
                + "  other: {backend: kubernetes, image: img}\n");
        Path app = Files.writeString(dir.resolve("app.py"), "print('stand-in')");
        Map<String, String> env = Map.of(
                "KINDLING_CONFIG", pools.toString(),
                "KINDLING_WORKER_ID", "pools-it",
                "KINDLING_WORKER_POOL", "alpha,beta",
                "KINDLING_WORKER_LOCAL_PATHS", dir.toString(),
                "KINDLING_HOME", dir.resolve("home").toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix());
        RunAssignment a = Runs.of("job-alpha", "alpha", new Application(ApplicationType.PYTHON, app.toString(), null,
                List.of("0", "0")), Map.of(), Map.of());
        RunAssignment b = Runs.of("job-beta", "beta", new Application(ApplicationType.PYTHON, app.toString(), null,
                List.of("0", "0")), Map.of(), Map.of());

        try (WorkerComponent component = WorkerComponent.start(env)) {
            assertThat(component.workers()).hasSize(2);
            kafka.send(kafka.topic("runs.alpha"), a.jobId(), Json.encode(a));
            kafka.send(kafka.topic("runs.beta"), b.jobId(), Json.encode(b));

            java.util.concurrent.atomic.AtomicReference<List<AttemptReport>> ends = new java.util.concurrent.atomic.AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                ends.set(ended(kafka));
                return ends.get().size() == 2;
            });
            assertThat(ends.get()).extracting(r -> r.jobId() + " " + r.workerId() + " " + r.state())
                    .containsExactlyInAnyOrder("job-alpha pools-it-alpha SUCCEEDED", "job-beta pools-it-beta SUCCEEDED");
        }
        assertThat(sparkA.runs()).extracting(StandInSpark.Run::jobId).containsExactly("job-alpha");
        assertThat(sparkB.runs()).extracting(StandInSpark.Run::jobId).containsExactly("job-beta");
    }

    private static List<AttemptReport> ended(KafkaFixture kafka) {
        try {
            return kafka.awaitRecords(kafka.topic("attempts.reports"), 1, Duration.ofSeconds(2)).stream()
                    .map(r -> Json.decode(r.value(), AttemptReport.class))
                    .filter(r -> r.type() == AttemptReport.Type.STATE && r.state().terminal()).toList();
        } catch (AssertionError notYet) {
            return List.of();
        }
    }
}
