package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.retry;
import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolConfig;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dispatcher's state topic: what each job's snapshot holds, restarts from it, retention of finished jobs. */
class StateTest {

    private static List<Output.State> states(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.State).map(o -> (Output.State) o).toList();
    }

    @Test
    void everyChangeWritesTheJobsSnapshotAndAFinishedJobsSnapshotIsSmall() {
        Harness h = new Harness();
        assertThat(states(h.submit("j", spec(null)))).singleElement()
                .satisfies(s -> assertThat(s.snapshot().spec()).isNotNull());
        h.tick();
        h.start("j", 1);
        List<Output.State> end = states(h.report("j", 1, JobState.SUCCEEDED, null, 0));
        assertThat(end).singleElement().satisfies(s -> {
            assertThat(s.snapshot().state()).isEqualTo(JobState.SUCCEEDED);
            assertThat(s.snapshot().spec()).isNull();
            assertThat(s.snapshot().specSha256()).hasSize(64);
            assertThat(s.snapshot().endedAt()).isEqualTo(h.now);
        });
        assertThat(h.machine.liveJobs()).isZero();
    }

    @Test
    void afterARestartFromTheStateTopicReplayedSubmitsOfFinishedJobsAreNoOpsOrConflicts() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, JobState.SUCCEEDED, null, 0);
        h.restart();
        assertThat(h.submit("j", spec(null))).isEmpty();
        assertThat(Harness.deadLetters(h.submit("j", spec(retry(4, null, null))))).singleElement()
                .satisfies(d -> assertThat(d.letter().reason()).isEqualTo("CONFLICT"));
    }

    @Test
    void aFinishedJobIsForgottenAfterTheRetentionThenAReplayRunsAgain() {
        Harness h = new Harness();
        h.machine = new JobStateMachine(h.pools, Duration.ofDays(30), JobStateMachine.DEFAULT_MAX_FINISHED,
                JobStateMachine.DEFAULT_ACK_TIMEOUT);
        h.submit("j", spec(null));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, JobState.FAILED, FailureReason.APP_FAILED, 1);
        assertThat(h.machine.nextDeadline(h.now)).contains(h.now.plus(Duration.ofDays(30)));
        assertThat(states(h.advance(Duration.ofDays(29)))).isEmpty();
        assertThat(states(h.advance(Duration.ofDays(1)))).singleElement()
                .satisfies(s -> assertThat(s.snapshot()).as("tombstone").isNull());
        assertThat(h.machine.size()).isZero();
        h.restart();
        assertThat(h.machine.size()).isZero();
        assertThat(Harness.events(h.submit("j", spec(null)))).extracting(e -> e.state()).containsExactly(JobState.QUEUED);
    }

    @Test
    void beyondTheMostFinishedJobsRememberedTheOldestIsForgottenAtOnceThenAReplayRunsAgain() {
        Harness h = new Harness();
        h.machine = new JobStateMachine(h.pools, Duration.ofDays(30), 2, JobStateMachine.DEFAULT_ACK_TIMEOUT);
        List<Output.State> last = List.of();
        for (String id : List.of("a", "b", "c")) {
            h.submit(id, spec(null));
            h.tick();
            h.start(id, 1);
            last = states(h.report(id, 1, JobState.SUCCEEDED, null, 0));
            h.advance(Duration.ofMinutes(1));
        }
        assertThat(last).as("c's finished record, then a's tombstone").hasSize(2)
                .anySatisfy(s -> assertThat(s.jobId()).isEqualTo("c"))
                .anySatisfy(s -> {
                    assertThat(s.jobId()).isEqualTo("a");
                    assertThat(s.snapshot()).as("tombstone").isNull();
                });
        assertThat(h.machine.knownIds()).containsExactlyInAnyOrder("b", "c");
        assertThat(h.machine.forgottenEarly()).isEqualTo(1);
        h.restart();
        assertThat(h.machine.knownIds()).containsExactlyInAnyOrder("b", "c");
        assertThat(h.submit("b", spec(null))).as("b still remembered: its replay is a no-op").isEmpty();
        assertThat(Harness.events(h.submit("a", spec(null)))).extracting(e -> e.state()).containsExactly(JobState.QUEUED);
    }

    @Test
    void aFinishedJobRestoredBeyondTheMostRememberedIsTheOneForgottenWhenItEndedFirst() {
        Harness h = new Harness();
        h.machine = new JobStateMachine(h.pools, Duration.ofDays(30), 1, JobStateMachine.DEFAULT_ACK_TIMEOUT);
        for (String id : List.of("old", "new")) {
            h.submit(id, spec(null));
            h.tick();
            h.start(id, 1);
            h.report(id, 1, JobState.SUCCEEDED, null, 0);
            h.advance(Duration.ofMinutes(1));
        }
        JobSnapshot old = states(h.all).stream().filter(s -> s.jobId().equals("old") && s.snapshot() != null)
                .map(Output.State::snapshot).filter(s -> s.state().terminal()).findFirst().orElseThrow();
        h.machine.restoreFinished(Harness.roundTrip(old));
        assertThat(h.machine.knownIds()).containsExactly("new");
    }

    @Test
    void restartingFromSnapshotsOrFromEventsGivesTheSameDecisions() {
        List<List<String>> decisions = new java.util.ArrayList<>();
        for (boolean fromEvents : new boolean[] {false, true}) {
            Harness h = new Harness(new PoolConfig("default", io.kindling.common.pools.PoolBackend.defaults(),
                    new io.kindling.common.pools.PoolScheduling(1, null, null, null, null, null)));
            h.submit("a", spec(retry(2, null, null)));
            h.submit("b", spec(null));
            h.tick();
            h.start("a", 1);
            h.report("a", 1, JobState.FAILED, FailureReason.APP_FAILED, 3);
            if (fromEvents) {
                h.restartFromEvents();
            } else {
                h.restart();
            }
            assertThat(h.machine.liveJobs()).isEqualTo(2);
            List<Output> out = h.advance(Duration.ofSeconds(30));
            decisions.add(Harness.runs(out).stream().map(r -> r.run().attemptId()).toList());
        }
        // a's retry comes first: same priority and submission time, and "a" sorts before "b"
        assertThat(decisions).containsExactly(List.of("a-a2"), List.of("a-a2"));
    }

    @Test
    void aCancelRequestedSurvivesARestartSoAFailedAnswerEndsTheJobCancelledNotRetried() {
        Harness h = new Harness();
        h.submit("j", spec(retry(3, null, null)));
        h.tick();
        h.start("j", 1);
        assertThat(states(h.cancel("j"))).singleElement().satisfies(s -> assertThat(s.snapshot().cancelRequested()).isTrue());
        h.restart();
        h.report("j", 1, JobState.FAILED, FailureReason.APP_FAILED, 143);
        assertThat(h.lastEvent("j").state()).isEqualTo(JobState.CANCELLED);
        assertThat(Harness.runs(h.advance(Duration.ofMinutes(10)))).isEmpty();
    }

    /** A job's snapshots as the dispatcher wrote them while it ran to SUCCEEDED: the last one is the finished record. */
    private static List<JobSnapshot> lifeOf(String jobId) {
        Harness h = new Harness();
        h.submit(jobId, spec(null));
        h.tick();
        h.start(jobId, 1);
        h.report(jobId, 1, JobState.SUCCEEDED, null, 0);
        return states(h.all).stream().map(Output.State::snapshot).map(Harness::roundTrip).toList();
    }

    @Test
    void aFinishedRecordAndTheLiveRecordsOfTheSameRunAgreeInWhicheverOrderTheTwoTopicsAreRead() {
        List<JobSnapshot> life = lifeOf("j");
        JobSnapshot finished = life.getLast();
        JobSnapshot stillRunning = life.get(life.size() - 2);
        Harness h = new Harness();
        // the finished jobs' loader is ahead of the state topic (a standby): stale live records do not revive the job
        h.machine.restoreFinished(finished);
        h.machine.restore(stillRunning);
        h.machine.forget("j");
        assertThat(h.machine.state("j")).contains(JobState.SUCCEEDED);
        assertThat(h.machine.liveJobs()).isZero();
        // the usual order: the live record, then the finished one
        Harness other = new Harness();
        other.machine.restore(stillRunning);
        other.machine.restoreFinished(finished);
        assertThat(other.machine.state("j")).contains(JobState.SUCCEEDED);
        assertThat(other.machine.liveJobs()).isZero();
    }

    @Test
    void aJobSubmittedAgainAfterItsRetentionIsNotEndedByItsEarlierRunsRecords() {
        List<JobSnapshot> earlier = lifeOf("j");
        Harness h = new Harness();
        h.now = h.now.plus(Duration.ofDays(40));
        h.submit("j", spec(null));
        JobSnapshot queuedAgain = Harness.roundTrip(states(h.all).getLast().snapshot());
        h.machine = new JobStateMachine(h.pools);
        h.machine.restore(queuedAgain);
        h.machine.restoreFinished(earlier.getLast()); // the earlier run's record, before the cleaner removed it
        h.machine.forgetFinished("j"); // and its tombstone
        assertThat(h.machine.state("j")).contains(JobState.QUEUED);
        assertThat(h.machine.liveJobs()).isOne();
    }

    @Test
    void aFinishedJobsRecordOnTheStateTopicIsMovedToTheFinishedJobsTopic() {
        JobSnapshot finished = lifeOf("j").getLast();
        Harness h = new Harness();
        h.machine.restore(finished); // written by a dispatcher from before the finished jobs' topic
        assertThat(states(h.tick())).singleElement().satisfies(s -> assertThat(s.snapshot()).isEqualTo(finished));
        assertThat(h.machine.state("j")).contains(JobState.SUCCEEDED);
    }
}
