package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.common.spool.SpoolExit;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The worker against a real Kafka broker, with the fake launcher (no Spark). */
@ExtendWith(KafkaTestExtension.class)
@Timeout(120)
class WorkerIT {
    private static final String POOL = "it";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path spoolDir;
    private final List<Worker> workers = new ArrayList<>();

    @AfterEach
    void stop() {
        workers.forEach(Worker::close);
    }

    @Test
    void anAssignmentBecomesSubmittingRunningSucceededKeyedByJobWithExitJsonInTheSpool(KafkaFixture kafka)
            throws Exception {
        WorkerConfig config = config(kafka, 2);
        start(config, FakeLauncher.succeeding());
        RunAssignment run = Runs.python("job-it-1", POOL, "/apps/pi.py");

        kafka.send(config.kafka().topics().runs(POOL), run.jobId(), Json.encode(run));

        List<ConsumerRecord<String, byte[]>> records = kafka.awaitRecords(config.kafka().topics().events(), 3, WAIT);
        assertThat(records).extracting(ConsumerRecord::key).containsOnly("job-it-1");
        List<JobEvent> events = records.stream().map(r -> Json.decode(r.value(), JobEvent.class)).toList();
        assertThat(events).extracting(JobEvent::state)
                .containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
        assertThat(events).extracting(JobEvent::eventId)
                .containsExactly("job-it-1-a1/SUBMITTING", "job-it-1-a1/RUNNING", "job-it-1-a1/SUCCEEDED");
        assertThat(events).allSatisfy(e -> assertThat(e.workerId()).isEqualTo("it-worker"));
        assertThat(events.get(1).sparkAppId()).startsWith("local-");
        assertThat(events.get(2).exitCode()).isZero();
        Path exitFile = config.spool().exitFile(run.attemptId());
        assertThat(Json.decode(Files.readAllBytes(exitFile), SpoolExit.class).exitCode()).isZero();
        assertThat(config.spool().attemptFile(run.attemptId())).exists();
        await().atMost(WAIT).until(() -> committedOffsets(config) == 1);
    }

    @Test
    void runsNoMoreThanMaxRunningAndTakesTheRestAsSlotsFree(KafkaFixture kafka) throws Exception {
        WorkerConfig config = config(kafka, 1);
        FakeLauncher launcher = FakeLauncher.manual();
        start(config, launcher);
        String runs = config.kafka().topics().runs(POOL);
        for (String jobId : List.of("job-q-1", "job-q-2", "job-q-3")) {
            kafka.send(runs, jobId, Json.encode(Runs.python(jobId, POOL, "/apps/pi.py")));
        }

        List<String> ran = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FakeLauncher.FakeApp app = launcher.next(WAIT);
            assertThat(app).as("attempt %d launched", i + 1).isNotNull();
            assertThat(launcher.next(Duration.ofSeconds(1))).as("a second attempt while one runs").isNull();
            ran.add(app.run().jobId());
            app.appId("local-" + i);
            app.exit(i == 1 ? 4 : 0, i == 1 ? "boom" : null);
        }

        assertThat(ran).containsExactlyInAnyOrder("job-q-1", "job-q-2", "job-q-3");
        List<JobEvent> events = kafka.awaitRecords(config.kafka().topics().events(), 9, WAIT).stream()
                .map(r -> Json.decode(r.value(), JobEvent.class)).toList();
        assertThat(events.stream().filter(e -> e.state().terminal()).toList()).hasSize(3)
                .filteredOn(e -> e.state() == JobState.FAILED).singleElement()
                .satisfies(e -> {
                    assertThat(e.reason()).isEqualTo(FailureReason.APP_FAILED);
                    assertThat(e.exitCode()).isEqualTo(4);
                    assertThat(e.message()).isEqualTo("boom");
                });
        await().atMost(WAIT).until(() -> committedOffsets(config) == 3);
    }

    @Test
    void aStartedAttemptIsNotRunAgainByTheNextWorkerOfThePool(KafkaFixture kafka) throws Exception {
        WorkerConfig config = config(kafka, 2);
        FakeLauncher first = FakeLauncher.manual();
        Worker worker = start(config, first);
        kafka.send(config.kafka().topics().runs(POOL), "job-r-1", Json.encode(Runs.python("job-r-1", POOL, "/a.py")));
        first.next(WAIT).appId("local-1");
        await().atMost(WAIT).until(() -> committedOffsets(config) == 1);

        worker.close();
        workers.remove(worker);
        FakeLauncher second = FakeLauncher.manual();
        Worker next = start(config, second);
        await().atMost(WAIT).until(next::assigned);

        assertThat(second.next(Duration.ofSeconds(3))).isNull();
    }

    private Worker start(WorkerConfig config, FakeLauncher launcher) throws InterruptedException {
        KafkaClients clients = new KafkaClients(config.kafka());
        new TopicCreator(clients).ensure(List.of(config.kafka().topics().runs(POOL), config.kafka().topics().events()), WAIT);
        Worker worker = new Worker(config, clients.consumer(config.groupId(), config.workerId(), Map.of()),
                new KafkaEventPublisher(clients.producer(config.workerId()), config.kafka().topics().events()),
                launcher, Clock.systemUTC()).start();
        workers.add(worker);
        return worker;
    }

    private WorkerConfig config(KafkaFixture kafka, int maxRunning) {
        Map<String, String> env = new HashMap<>();
        env.put("KINDLING_WORKER_ID", "it-worker");
        env.put("KINDLING_WORKER_POOL", POOL);
        env.put("KINDLING_WORKER_MAX_RUNNING", Integer.toString(maxRunning));
        env.put("KINDLING_SPARK_HOME", "/not/used/by/the/fake");
        env.put("KINDLING_SPOOL_DIR", spoolDir.toString());
        env.put("KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("KINDLING_TOPIC_PREFIX", kafka.topicPrefix());
        return WorkerConfig.fromEnv(env);
    }

    /** The sum of the pool group's committed offsets on this test's runs topic (the group is shared across tests). */
    private static long committedOffsets(WorkerConfig config) throws Exception {
        String runs = config.kafka().topics().runs(POOL);
        try (Admin admin = new KafkaClients(config.kafka()).admin("it-admin")) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(config.groupId()).partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(runs))
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }
}
