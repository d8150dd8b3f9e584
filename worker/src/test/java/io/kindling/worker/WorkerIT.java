package io.kindling.worker;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kindling.common.deadletter.DeadLetterPublisher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.common.spool.SpoolExit;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import io.kindling.worker.report.KafkaReportPublisher;
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

/** The worker against a real Kafka broker (runs, reports, control topics), with the fake launcher (no Spark). */
@ExtendWith(KafkaTestExtension.class)
@Timeout(120)
class WorkerIT {
    private static final String POOL = "it";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path spoolDir;
    private final List<Worker> workers = new ArrayList<>();
    private final List<DeadLetterPublisher> deadLetters = new ArrayList<>();

    @AfterEach
    void stop() {
        workers.forEach(Worker::close);
        deadLetters.forEach(DeadLetterPublisher::close);
    }

    @Test
    void anAssignmentIsReportedSubmittingRunningWithHeartbeatsThenSucceededKeyedByJob(KafkaFixture kafka)
            throws Exception {
        WorkerConfig config = config(kafka, 2);
        FakeLauncher launcher = FakeLauncher.manual();
        start(config, launcher);
        RunAssignment run = Runs.python("job-it-1", POOL, "/apps/pi.py");

        kafka.send(config.kafka().topics().runs(POOL), run.jobId(), Json.encode(run));
        FakeLauncher.FakeApp app = launcher.next(WAIT);
        app.appId("local-1700000000001");
        String reportsTopic = config.kafka().topics().reports();
        await().atMost(WAIT).until(() -> reports(kafka, reportsTopic, 0).stream()
                .filter(r -> r.type() == AttemptReport.Type.HEARTBEAT).count() >= 2);
        app.exit(0, null);

        await().atMost(WAIT).until(() -> states(reports(kafka, reportsTopic, 5)).size() == 3);
        assertThat(kafka.awaitRecords(reportsTopic, 5, WAIT)).extracting(ConsumerRecord::key).containsOnly("job-it-1");
        List<AttemptReport> reports = reports(kafka, reportsTopic, 5);
        List<AttemptReport> states = states(reports);
        assertThat(states).extracting(AttemptReport::state)
                .containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
        assertThat(reports).allSatisfy(r -> {
            assertThat(r.workerId()).isEqualTo("it-worker");
            assertThat(r.attemptId()).isEqualTo("job-it-1-a1");
        });
        assertThat(reports).filteredOn(r -> r.type() == AttemptReport.Type.HEARTBEAT)
                .allSatisfy(r -> assertThat(r.state()).isIn(JobState.SUBMITTING, JobState.RUNNING));
        assertThat(states.get(1).sparkAppId()).isEqualTo("local-1700000000001");
        assertThat(states.get(2).exitCode()).isZero();
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
        await().atMost(WAIT).until(() -> states(reports(kafka, config.kafka().topics().reports(), 9)).stream()
                .filter(e -> e.state().terminal()).count() == 3);
        List<AttemptReport> events = states(reports(kafka, config.kafka().topics().reports(), 9));
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

    private static List<AttemptReport> reports(KafkaFixture kafka, String topic, int atLeast) {
        return kafka.awaitRecords(topic, atLeast, WAIT).stream()
                .map(r -> Json.decode(r.value(), AttemptReport.class)).toList();
    }

    private static List<AttemptReport> states(List<AttemptReport> reports) {
        return reports.stream().filter(r -> r.type() == AttemptReport.Type.STATE).toList();
    }

    private Worker start(WorkerConfig config, FakeLauncher launcher) throws InterruptedException {
        KafkaClients clients = new KafkaClients(config.kafka());
        new TopicCreator(clients).ensure(List.of(config.kafka().topics().runs(POOL), config.kafka().topics().reports(),
                config.kafka().topics().control()), WAIT);
        deadLetters.add(new DeadLetterPublisher(clients.producer(config.workerId() + "-dead-letters"),
                config.kafka().topics().deadLetter(), "worker " + config.workerId(), new SimpleMeterRegistry(),
                Clock.systemUTC()));
        Worker worker = new Worker(config, clients.consumer(config.groupId(), config.workerId(), Map.of()),
                clients.consumer(null, config.workerId() + "-control", Map.of()),
                new KafkaReportPublisher(clients.producer(config.workerId()), config.kafka().topics().reports()),
                launcher, Clock.systemUTC(), deadLetters.getLast()).start();
        workers.add(worker);
        return worker;
    }

    private WorkerConfig config(KafkaFixture kafka, int maxRunning) {
        Map<String, String> env = new HashMap<>();
        env.put("KINDLING_WORKER_ID", "it-worker");
        env.put("KINDLING_WORKER_POOL", POOL);
        env.put("KINDLING_WORKER_MAX_RUNNING", Integer.toString(maxRunning));
        env.put("KINDLING_WORKER_HEARTBEAT_SECONDS", "1");
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
