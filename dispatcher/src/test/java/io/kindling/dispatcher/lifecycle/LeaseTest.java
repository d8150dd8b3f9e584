package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.retry;
import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static io.kindling.schemas.JobState.CANCELLED;
import static io.kindling.schemas.JobState.DISPATCHED;
import static io.kindling.schemas.JobState.FAILED;
import static io.kindling.schemas.JobState.RETRYING;
import static io.kindling.schemas.JobState.RUNNING;
import static io.kindling.schemas.JobState.SUBMITTING;
import static io.kindling.schemas.JobState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.WorkerControl;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaseTest {

    @Test
    void heartbeatsRenewTheLeaseAndSilenceMakesTheAttemptLostThenRetried() {
        Harness h = new Harness();
        h.submit("j", spec(retry(2, null, null)));
        h.tick();
        h.start("j", 1);
        assertThat(h.machine.nextDeadline(h.now)).contains(h.now.plusSeconds(30));
        assertThat(h.advance(Duration.ofSeconds(20))).isEmpty();
        h.heartbeat("j", 1, RUNNING);
        assertThat(h.advance(Duration.ofSeconds(29))).isEmpty();
        List<Output> out = h.advance(Duration.ofSeconds(1));
        WorkerControl cancel = Harness.controls(out).get(0);
        assertThat(cancel.attemptId()).isEqualTo("j-a1");
        assertThat(cancel.reason()).isEqualTo(FailureReason.LOST);
        JobEvent lost = Harness.events(out).get(0);
        assertThat(lost.state()).isEqualTo(RETRYING);
        assertThat(lost.reason()).isEqualTo(FailureReason.LOST);
        h.advanceTo(lost.nextAttemptAt());
        assertThat(h.lastEvent("j").state()).isEqualTo(DISPATCHED);
        assertThat(h.lastEvent("j").attempt()).isEqualTo(2);
    }

    @Test
    void aLostAttemptWithoutRetryBudgetFailsLost() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.report("j", 1, io.kindling.schemas.JobState.SUBMITTING, null, null);
        h.advance(Duration.ofSeconds(31));
        assertThat(h.lastEvent("j").state()).isEqualTo(FAILED);
        assertThat(h.lastEvent("j").reason()).isEqualTo(FailureReason.LOST);
    }

    @Test
    void aDispatchedAttemptNoWorkerAcknowledgesIsLostAfterTheAckTimeoutAndItsSlotFreed() {
        Harness h = new Harness(new io.kindling.common.pools.PoolConfig("default",
                io.kindling.common.pools.PoolBackend.defaults(),
                new io.kindling.common.pools.PoolScheduling(1, null, null, null, null, null)));
        h.submit("j", spec(retry(2, null, null)));
        h.submit("k", spec(null));
        h.tick();
        assertThat(h.machine.nextDeadline(h.now)).contains(h.now.plus(JobStateMachine.DEFAULT_ACK_TIMEOUT));
        assertThat(h.advance(JobStateMachine.DEFAULT_ACK_TIMEOUT.minusSeconds(1))).isEmpty();
        List<Output> out = h.advance(Duration.ofSeconds(1));
        assertThat(Harness.controls(out)).singleElement().satisfies(c -> {
            assertThat(c.attemptId()).isEqualTo("j-a1");
            assertThat(c.reason()).isEqualTo(FailureReason.LOST);
        });
        assertThat(h.eventsOf("j").get(h.eventsOf("j").size() - 1).state()).isEqualTo(RETRYING);
        assertThat(Harness.runs(out)).as("the slot went to the next job").extracting(r -> r.run().attemptId())
                .containsExactly("k-a1");
    }

    @Test
    void aDispatchedAttemptThatAWorkerAcknowledgedIsNotExpiredByTheAckTimeout() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.report("j", 1, SUBMITTING, null, null);
        for (int i = 0; i < 20; i++) {
            h.advance(Duration.ofSeconds(20));
            h.heartbeat("j", 1, SUBMITTING);
        }
        assertThat(h.lastEvent("j").state()).isEqualTo(SUBMITTING);
    }

    @Test
    void aReportFromAWorkerThatDoesNotHoldTheAttemptIsRejectedAndThatWorkerAloneIsFenced() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.report("j", 1, SUBMITTING, null, null); // w1 holds it
        List<Output> out = h.record(h.machine.handle(new io.kindling.dispatcher.intake.Input.Report(
                new io.kindling.schemas.AttemptReport(io.kindling.schemas.AttemptReport.Type.STATE, "j", 1, "j-a1", "default",
                        "w2", RUNNING, h.now, null, null, null, null, null),
                new io.kindling.dispatcher.intake.Origin("reports", 0, 9L, "j", new byte[] {'{', '}'})), h.now));
        assertThat(Harness.events(out)).isEmpty();
        assertThat(Harness.deadLetters(out)).singleElement().satisfies(d -> assertThat(d.letter().reason())
                .isEqualTo("FORBIDDEN"));
        assertThat(Harness.controls(out)).singleElement().satisfies(c -> {
            assertThat(c.attemptId()).isEqualTo("j-a1");
            assertThat(c.workerId()).isEqualTo("w2");
        });
        h.report("j", 1, RUNNING, null, null);
        assertThat(h.lastEvent("j").state()).isEqualTo(RUNNING);
        assertThat(h.lastEvent("j").workerId()).isEqualTo("w1");
    }

    @Test
    void aRestartedMachineRebuildsFromEventsAndReArmsLeasesFresh() {
        Harness h = new Harness();
        h.submit("j", spec(retry(3, null, null)));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, FAILED, FailureReason.APP_FAILED, 3);
        h.advanceTo(h.lastEvent("j").nextAttemptAt());
        h.start("j", 2);
        h.now = h.now.plus(Duration.ofHours(1)); // the dispatcher was down for an hour
        h.restart();
        assertThat(h.machine.state("j")).contains(RUNNING);
        assertThat(h.tick()).isEmpty();
        assertThat(h.advance(Duration.ofSeconds(29))).isEmpty();
        // the rebuilt machine still counts the first failure: attempt 2 fails, attempt 3 is the last
        h.report("j", 2, FAILED, FailureReason.APP_FAILED, 3);
        assertThat(h.lastEvent("j").state()).isEqualTo(RETRYING);
        h.advanceTo(h.lastEvent("j").nextAttemptAt());
        h.restart();
        assertThat(h.tick()).isEmpty(); // no duplicate dispatch after a restart
        h.start("j", 3);
        h.report("j", 3, FAILED, FailureReason.APP_FAILED, 3);
        assertThat(h.lastEvent("j").state()).isEqualTo(FAILED);
    }

    @Test
    void aRestartedMachineKeepsIdempotencyAndIgnoresStaleAttempts() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, SUCCEEDED, null, 0);
        h.restart();
        assertThat(h.submit("j", spec(null))).isEmpty();
        assertThat(Harness.deadLetters(h.submit("j", spec(retry(2, null, null)))))
                .singleElement().satisfies(d -> assertThat(d.letter().reason()).isEqualTo("CONFLICT"));
        assertThat(h.report("j", 1, FAILED, FailureReason.APP_FAILED, 1)).isEmpty();
    }

    @Test
    void aStaleAttemptThatStillRunsIsToldToCancelAndChangesNothing() {
        Harness h = new Harness();
        h.submit("j", spec(retry(2, null, null)));
        h.tick();
        h.start("j", 1);
        h.advance(Duration.ofSeconds(30)); // lost
        h.advanceTo(h.lastEvent("j").nextAttemptAt());
        h.start("j", 2);
        int events = h.eventsOf("j").size();
        List<Output> out = h.heartbeat("j", 1, RUNNING);
        assertThat(Harness.controls(out)).singleElement().satisfies(c -> assertThat(c.attempt()).isEqualTo(1));
        assertThat(Harness.events(out)).isEmpty();
        assertThat(h.report("j", 1, SUCCEEDED, null, 0)).isEmpty();
        assertThat(h.eventsOf("j")).hasSize(events);
        h.report("j", 2, SUCCEEDED, null, 0);
        assertThat(Harness.controls(h.report("j", 2, RUNNING, null, null))).hasSize(1);
    }

    @Test
    void theDispatcherStopsAnAttemptPastItsTimeoutAndTheJobFailsTimedOut() {
        Harness h = new Harness();
        h.submit("j", Harness.spec("default", null, null, null, 10));
        h.tick();
        h.start("j", 1);
        for (int i = 0; i < 7; i++) {
            assertThat(h.advance(Duration.ofSeconds(5))).isEmpty();
            h.heartbeat("j", 1, RUNNING);
        }
        List<Output> out = h.advance(Duration.ofSeconds(5));
        assertThat(Harness.controls(out)).singleElement().satisfies(c -> assertThat(c.reason()).isEqualTo(FailureReason.TIMED_OUT));
        assertThat(h.advance(Duration.ofSeconds(1))).isEmpty();
        h.report("j", 1, CANCELLED, FailureReason.TIMED_OUT, 143);
        assertThat(h.lastEvent("j").state()).isEqualTo(FAILED);
        assertThat(h.lastEvent("j").reason()).isEqualTo(FailureReason.TIMED_OUT);
    }

    @Test
    void aReportForAnUnknownJobIsDeadLettered() {
        Harness h = new Harness();
        assertThat(Harness.deadLetters(h.report("ghost", 1, RUNNING, null, null))).hasSize(1);
    }
}
