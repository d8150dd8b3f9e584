package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolExit;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.worker.launcher.SparkSubmitConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerTest {
    private static final String POOL = "default";
    private static final String TOPIC = "t.runs." + POOL;
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path spoolDir;

    private final PoliteMockConsumer consumer = new PoliteMockConsumer();
    private Worker worker;
    private long nextOffset;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    @Test
    void runsAnAttemptAndPublishesItsEventsThenCommits() {
        Map<String, Boolean> exitFileAtPublish = new ConcurrentHashMap<>();
        SpoolLayout layout = new SpoolLayout(spoolDir);
        RecordingPublisher events = new RecordingPublisher().observing(e -> exitFileAtPublish.put(e.state().name(),
                Files.exists(layout.exitFile(e.attemptId()))));
        start(2, events, FakeLauncher.succeeding());

        RunAssignment run = send(Runs.python("job-1", POOL, "/apps/pi.py"));

        await().atMost(WAIT).until(() -> events.states("job-1").size() == 3);
        assertThat(events.states("job-1")).containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
        List<JobEvent> published = events.events();
        assertThat(published).allSatisfy(e -> {
            assertThat(e.workerId()).isEqualTo("worker-1");
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.attemptId()).isEqualTo("job-1-a1");
        });
        assertThat(published.get(1).sparkAppId()).startsWith("local-");
        assertThat(published.get(2).exitCode()).isZero();
        assertThat(published.get(2).reason()).isNull();
        assertThat(exitFileAtPublish).containsEntry("SUBMITTING", false).containsEntry("SUCCEEDED", true);

        SpoolAttempt attempt = Json.decode(read(layout.attemptFile(run.attemptId())), SpoolAttempt.class);
        assertThat(attempt).isEqualTo(new SpoolAttempt("job-1", 1, "job-1-a1", "default", POOL, "worker-1", NOW));
        assertThat(Json.decode(read(layout.exitFile(run.attemptId())), SpoolExit.class)).isEqualTo(new SpoolExit(0, NOW));
        awaitCommitted(1);
    }

    @Test
    void aDriverThatExitsNonZeroIsAnAppFailureWithItsReason() throws InterruptedException {
        RecordingPublisher events = new RecordingPublisher();
        FakeLauncher launcher = FakeLauncher.manual();
        start(2, events, launcher);

        send(Runs.python("job-2", POOL, "/apps/fail.py"));
        FakeLauncher.FakeApp app = launcher.next(WAIT);
        app.appId("local-42");
        app.exit(3, "ValueError: boom");

        await().atMost(WAIT).until(() -> events.states("job-2").contains(JobState.FAILED));
        JobEvent failed = events.last("job-2");
        assertThat(failed.reason()).isEqualTo(FailureReason.APP_FAILED);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.message()).isEqualTo("ValueError: boom");
        assertThat(failed.sparkAppId()).isEqualTo("local-42");
        assertThat(events.states("job-2")).containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.FAILED);
    }

    @Test
    void aRefusedLaunchIsASubmissionFailureAndStillEndsTheSpool() {
        RecordingPublisher events = new RecordingPublisher();
        start(2, events, FakeLauncher.refusing("application file /nope.py does not exist on worker host"));

        RunAssignment run = send(Runs.python("job-3", POOL, "/nope.py"));

        await().atMost(WAIT).until(() -> events.states("job-3").contains(JobState.FAILED));
        assertThat(events.states("job-3")).containsExactly(JobState.SUBMITTING, JobState.FAILED);
        JobEvent failed = events.last("job-3");
        assertThat(failed.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(failed.message()).contains("/nope.py");
        assertThat(failed.exitCode()).isNull();
        SpoolExit exit = Json.decode(read(new SpoolLayout(spoolDir).exitFile(run.attemptId())), SpoolExit.class);
        assertThat(exit.exitCode()).isNull();
        awaitCommitted(1);
    }

    @Test
    void pausesAtCapacityAndResumesWhenASlotFrees() throws InterruptedException {
        RecordingPublisher events = new RecordingPublisher();
        FakeLauncher launcher = FakeLauncher.manual();
        consumer.setMaxPollRecords(1);
        start(2, events, launcher);

        send(Runs.python("job-a", POOL, "/a.py"));
        send(Runs.python("job-b", POOL, "/b.py"));
        send(Runs.python("job-c", POOL, "/c.py"));

        FakeLauncher.FakeApp first = launcher.next(WAIT);
        FakeLauncher.FakeApp second = launcher.next(WAIT);
        assertThat(List.of(first.run().jobId(), second.run().jobId())).containsExactlyInAnyOrder("job-a", "job-b");
        await().atMost(WAIT).until(() -> consumer.paused().contains(TP));
        assertThat(launcher.next(Duration.ofMillis(500))).as("a third attempt while two run").isNull();
        awaitCommitted(2);

        first.exit(0, null);

        FakeLauncher.FakeApp third = launcher.next(WAIT);
        assertThat(third.run().jobId()).isEqualTo("job-c");
        awaitCommitted(3);
        second.exit(0, null);
        third.exit(0, null);
        await().atMost(WAIT).until(() -> consumer.paused().isEmpty());
    }

    @Test
    void commitsOnlyOnceSubmittingIsAcknowledged() throws InterruptedException {
        RecordingPublisher events = new RecordingPublisher().holding(JobState.SUBMITTING);
        FakeLauncher launcher = FakeLauncher.manual();
        start(2, events, launcher);

        send(Runs.python("job-4", POOL, "/apps/pi.py"));

        assertThat(launcher.next(Duration.ofMillis(700))).as("launched before SUBMITTING was acknowledged").isNull();
        assertThat(committed()).isNull();
        events.release();
        assertThat(launcher.next(WAIT)).isNotNull();
        awaitCommitted(1);
    }

    @Test
    void retriesAnEventUntilItIsAcknowledged() {
        RecordingPublisher events = new RecordingPublisher().failing(2);
        start(2, events, FakeLauncher.succeeding());

        send(Runs.python("job-5", POOL, "/apps/pi.py"));

        await().atMost(WAIT).until(() -> events.states("job-5").size() == 3);
        assertThat(events.states("job-5")).containsExactly(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
    }

    @Test
    void aCancelledAttemptIsCancelled() throws InterruptedException {
        RecordingPublisher events = new RecordingPublisher();
        FakeLauncher launcher = FakeLauncher.manual();
        start(2, events, launcher);
        send(Runs.python("job-6", POOL, "/apps/pi.py"));
        launcher.next(WAIT).appId("local-6");
        await().atMost(WAIT).until(() -> events.states("job-6").contains(JobState.RUNNING));

        assertThat(worker.cancel("job-6-a1")).isTrue();

        await().atMost(WAIT).until(() -> events.states("job-6").contains(JobState.CANCELLED));
        assertThat(events.last("job-6").reason()).isEqualTo(FailureReason.CANCELLED);
        assertThat(worker.cancel("nope-a1")).isFalse();
    }

    @Test
    void stoppingKillsRunningDriversAndLeavesThemWithoutExitFileOrTerminalEvent() throws InterruptedException {
        RecordingPublisher events = new RecordingPublisher();
        FakeLauncher launcher = FakeLauncher.manual();
        start(2, events, launcher);
        RunAssignment run = send(Runs.python("job-7", POOL, "/apps/pi.py"));
        launcher.next(WAIT).appId("local-7");
        await().atMost(WAIT).until(() -> events.states("job-7").contains(JobState.RUNNING));
        awaitCommitted(1);

        assertThat(worker.healthy()).isTrue();
        worker.close();
        assertThat(worker.healthy()).isFalse();
        worker = null;

        assertThat(launcher.closed()).isTrue();
        assertThat(events.closed()).isTrue();
        assertThat(consumer.closed()).isTrue();
        assertThat(events.states("job-7")).containsExactly(JobState.SUBMITTING, JobState.RUNNING);
        assertThat(new SpoolLayout(spoolDir).exitFile(run.attemptId())).doesNotExist();
    }

    @Test
    void skipsUnreadableRecordsAndAttemptsThatAlreadyEndedHere() throws Exception {
        RecordingPublisher events = new RecordingPublisher();
        FakeLauncher launcher = FakeLauncher.succeeding();
        SpoolLayout layout = new SpoolLayout(spoolDir);
        Files.createDirectories(layout.attemptDir("job-8-a1"));
        Files.writeString(layout.exitFile("job-8-a1"), "{\"exitCode\":0}");
        start(2, events, launcher);

        sendRaw("junk", "not json".getBytes(StandardCharsets.UTF_8));
        sendRaw("evil", Json.encode(new RunAssignment("evil", 1, "../../etc", POOL, "default",
                Runs.python("evil", POOL, "/x.py").spec(), NOW)));
        send(Runs.python("job-8", POOL, "/apps/pi.py"));
        send(Runs.python("job-9", POOL, "/apps/pi.py"));

        await().atMost(WAIT).until(() -> events.states("job-9").size() == 3);
        awaitCommitted(4);
        assertThat(launcher.launchedCount()).isEqualTo(1);
        assertThat(events.states("job-8")).isEmpty();
    }

    // ------------------------------------------------------------------------------------------

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private void start(int maxRunning, RecordingPublisher events, FakeLauncher launcher) {
        WorkerConfig config = new WorkerConfig("worker-1", POOL, maxRunning,
                new SparkSubmitConfig(Path.of("/no/spark"), null, null, "local[*]"), new SpoolLayout(spoolDir),
                new KafkaConfig("127.0.0.1:1", new Topics("t."), 1, (short) 1));
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(TP));
            consumer.updateBeginningOffsets(Map.of(TP, 0L));
        });
        worker = new Worker(config, consumer, events, launcher, Clock.fixed(NOW, ZoneOffset.UTC)).start();
        await().atMost(WAIT).until(worker::assigned);
    }

    private RunAssignment send(RunAssignment run) {
        sendRaw(run.jobId(), Json.encode(run));
        return run;
    }

    private void sendRaw(String key, byte[] value) {
        consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, nextOffset++, key, value));
    }

    private OffsetAndMetadata committed() {
        return consumer.committed(Set.of(TP)).get(TP);
    }

    private void awaitCommitted(long offset) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(committed()).isNotNull();
            assertThat(committed().offset()).isEqualTo(offset);
        });
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A MockConsumer whose empty polls take a moment, as a real one's do, instead of spinning. */
    static final class PoliteMockConsumer extends MockConsumer<String, byte[]> {
        PoliteMockConsumer() {
            super("earliest");
        }

        @Override
        public ConsumerRecords<String, byte[]> poll(Duration timeout) {
            ConsumerRecords<String, byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return records;
        }
    }
}
