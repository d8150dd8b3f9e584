package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.schemas.WorkerControl;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The lifecycle against a real broker, with a fake worker answering run assignments. */
@ExtendWith(KafkaTestExtension.class)
class LifecycleIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final String RETRIED = """
            {"type":"submit","jobId":"%s",
             "spec":{"name":"exit3","application":{"type":"python","file":"/tmp/fail.py"},
                     "retry":{"maxAttempts":3,"initialBackoffSeconds":1,"maxBackoffSeconds":2}}}
            """;

    private static final BiConsumer<RunAssignment, FakeWorker> EXIT_3 = (run, worker) -> {
        worker.report(run.jobId(), run.attempt(), JobState.SUBMITTING, null, null);
        worker.report(run.jobId(), run.attempt(), JobState.RUNNING, null, null);
        worker.report(run.jobId(), run.attempt(), JobState.FAILED, FailureReason.APP_FAILED, 3);
    };

    private static boolean ended(List<JobEvent> events, String jobId) {
        return events.stream().anyMatch(e -> e.jobId().equals(jobId) && e.state().terminal());
    }

    private static List<JobEvent> of(List<JobEvent> events, String jobId, JobState state) {
        return events.stream().filter(e -> e.jobId().equals(jobId) && e.state() == state).toList();
    }

    @Test
    void anAppExitingThreeIsTriedExactlyThreeTimesSpacedByTheBackoffThenFails(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", EXIT_3);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            kafka.send(topics.commands(), "exit3", RETRIED.formatted("exit3").getBytes(UTF_8));
            List<JobEvent> all = events.awaitUntil("exit3 ends", e -> ended(e, "exit3"), DEADLINE);

            assertThat(of(all, "exit3", JobState.DISPATCHED)).extracting(JobEvent::attempt).containsExactly(1, 2, 3);
            List<JobEvent> retrying = of(all, "exit3", JobState.RETRYING);
            assertThat(retrying).extracting(JobEvent::attempt).containsExactly(1, 2);
            assertThat(retrying).allSatisfy(e -> {
                assertThat(e.reason()).isEqualTo(FailureReason.APP_FAILED);
                assertThat(e.exitCode()).isEqualTo(3);
                assertThat(e.nextAttemptAt()).isAfter(e.time());
            });
            JobEvent failed = all.get(all.size() - 1);
            assertThat(failed.state()).isEqualTo(JobState.FAILED);
            assertThat(failed.attempt()).isEqualTo(3);
            assertThat(failed.reason()).isEqualTo(FailureReason.APP_FAILED);
            assertThat(failed.exitCode()).isEqualTo(3);
            List<JobEvent> dispatched = of(all, "exit3", JobState.DISPATCHED);
            for (int i = 0; i < 2; i++) {
                Duration gap = Duration.between(retrying.get(i).time(), dispatched.get(i + 1).time());
                assertThat(gap).as("backoff before attempt %d", i + 2).isGreaterThanOrEqualTo(Duration.ofMillis(500));
                assertThat(dispatched.get(i + 1).time()).isAfterOrEqualTo(retrying.get(i).nextAttemptAt());
            }
            assertThat(worker.runs).hasSize(3);
        }
    }

    @Test
    void cancelWhileRunningStopsTheAttemptThroughTheWorker(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        BiConsumer<RunAssignment, FakeWorker> runForever = (run, worker) -> {
            worker.report(run.jobId(), run.attempt(), JobState.SUBMITTING, null, null);
            worker.report(run.jobId(), run.attempt(), JobState.RUNNING, null, null);
        };
        try (DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka));
             FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", runForever);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            kafka.send(topics.commands(), "long", DispatcherIT.VALID.formatted("long").getBytes(UTF_8));
            events.awaitUntil("long runs", e -> !of(e, "long", JobState.RUNNING).isEmpty(), DEADLINE);
            kafka.send(topics.commands(), "long", "{\"type\":\"cancel\",\"jobId\":\"long\",\"reason\":\"test\"}".getBytes(UTF_8));
            List<JobEvent> all = events.awaitUntil("long ends", e -> ended(e, "long"), DEADLINE);
            JobEvent end = all.get(all.size() - 1);
            assertThat(end.state()).isEqualTo(JobState.CANCELLED);
            assertThat(end.attempt()).isEqualTo(1);
            assertThat(worker.controls).extracting(WorkerControl::type, WorkerControl::attemptId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(WorkerControl.Type.CANCEL, "long-a1"));
        }
    }

    @Test
    void aRestartedDispatcherFinishesTheJobWithoutDispatchingTwice(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", EXIT_3);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            try (DispatcherComponent first = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                kafka.send(topics.commands(), "survivor", RETRIED.formatted("survivor").getBytes(UTF_8));
                events.awaitUntil("first retry", e -> !of(e, "survivor", JobState.RETRYING).isEmpty(), DEADLINE);
            }
            try (DispatcherComponent second = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                List<JobEvent> all = events.awaitUntil("survivor ends", e -> ended(e, "survivor"), DEADLINE);
                assertThat(all.get(all.size() - 1).state()).isEqualTo(JobState.FAILED);
                assertThat(of(all, "survivor", JobState.DISPATCHED)).extracting(JobEvent::attempt).containsExactly(1, 2, 3);
                assertThat(of(all, "survivor", JobState.QUEUED)).hasSize(1);
                assertThat(all.stream().map(JobEvent::eventId).distinct().count()).isEqualTo(all.size());
                assertThat(worker.runs).extracting(RunAssignment::attempt).containsExactly(1, 2, 3);
            }
        }
    }

    @Test
    void aCancelRequestedBeforeARestartStillEndsTheJobCancelledWhenTheWorkerAnswersFailedAfterIt(KafkaFixture kafka)
            throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        BiConsumer<RunAssignment, FakeWorker> runForever = (run, worker) -> {
            worker.report(run.jobId(), run.attempt(), JobState.SUBMITTING, null, null);
            worker.report(run.jobId(), run.attempt(), JobState.RUNNING, null, null);
        };
        try (FakeWorker worker = new FakeWorker(kafka.bootstrapServers(), topics, "default", runForever);
             TopicWatcher<JobEvent> events = new TopicWatcher<>(kafka.bootstrapServers(), topics.events(), JobEvent.class)) {
            worker.answerControls = false;
            try (DispatcherComponent first = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                kafka.send(topics.commands(), "stubborn", RETRIED.formatted("stubborn").getBytes(UTF_8));
                events.awaitUntil("stubborn runs", e -> !of(e, "stubborn", JobState.RUNNING).isEmpty(), DEADLINE);
                kafka.send(topics.commands(), "stubborn",
                        "{\"type\":\"cancel\",\"jobId\":\"stubborn\"}".getBytes(UTF_8));
                org.awaitility.Awaitility.await("the CANCEL control").atMost(DEADLINE).until(() -> !worker.controls.isEmpty());
            }
            try (DispatcherComponent second = DispatcherComponent.start(DispatcherIT.env(kafka))) {
                org.awaitility.Awaitility.await("the restarted dispatcher is ready").atMost(DEADLINE).until(second::ready);
                // the driver was killed by the cancel, and the worker says so as a failure
                worker.report("stubborn", 1, JobState.FAILED, FailureReason.APP_FAILED, 143);
                List<JobEvent> all = events.awaitUntil("stubborn ends", e -> ended(e, "stubborn"), DEADLINE);
                assertThat(all.get(all.size() - 1).state()).isEqualTo(JobState.CANCELLED);
                assertThat(of(all, "stubborn", JobState.RETRYING)).isEmpty();
                assertThat(worker.runs).hasSize(1);
            }
        }
    }
}
