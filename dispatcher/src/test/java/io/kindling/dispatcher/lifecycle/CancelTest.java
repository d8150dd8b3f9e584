package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.retry;
import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static io.kindling.schemas.JobState.CANCELLED;
import static io.kindling.schemas.JobState.FAILED;
import static io.kindling.schemas.JobState.RETRYING;
import static io.kindling.schemas.JobState.RUNNING;
import static io.kindling.schemas.JobState.SUBMITTING;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.WorkerControl;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancelTest {

    @Test
    void aQueuedJobIsCancelledAtOnceAndNeverDispatched() {
        Harness h = new Harness(io.kindling.common.pools.PoolConfig.defaults("default"));
        h.submit("j", spec(null));
        List<Output> out = h.cancel("j");
        assertThat(Harness.events(out)).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(CANCELLED);
            assertThat(e.reason()).isEqualTo(FailureReason.CANCELLED);
            assertThat(e.eventId()).isEqualTo("j/CANCELLED");
        });
        assertThat(h.tick()).isEmpty();
    }

    @Test
    void aRetryingJobIsCancelledAtOnce() {
        Harness h = new Harness();
        h.submit("j", spec(retry(3, null, null)));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, FAILED, FailureReason.APP_FAILED, 1);
        assertThat(h.lastEvent("j").state()).isEqualTo(RETRYING);
        assertThat(Harness.events(h.cancel("j"))).extracting(e -> e.state()).containsExactly(CANCELLED);
        assertThat(h.advance(java.time.Duration.ofHours(1))).isEmpty();
    }

    @Test
    void aRunningJobGetsACancelControlAndEndsWhenTheWorkerReportsCancelled() {
        Harness h = new Harness();
        h.submit("j", spec(retry(3, null, null)));
        h.tick();
        h.start("j", 1);
        List<Output> out = h.cancel("j");
        assertThat(Harness.events(out)).isEmpty();
        WorkerControl control = Harness.controls(out).get(0);
        assertThat(control.type()).isEqualTo(WorkerControl.Type.CANCEL);
        assertThat(control.attemptId()).isEqualTo("j-a1");
        assertThat(control.reason()).isEqualTo(FailureReason.CANCELLED);
        h.report("j", 1, CANCELLED, FailureReason.CANCELLED, 143);
        assertThat(h.lastEvent("j").state()).isEqualTo(CANCELLED);
        assertThat(h.lastEvent("j").attempt()).isEqualTo(1);
    }

    @Test
    void aCancelledRunThatReportsFailedIsCancelledNotRetried() {
        Harness h = new Harness();
        h.submit("j", spec(retry(3, null, null)));
        h.tick();
        h.start("j", 1);
        h.cancel("j");
        h.report("j", 1, FAILED, FailureReason.APP_FAILED, 137);
        assertThat(h.lastEvent("j").state()).isEqualTo(CANCELLED);
    }

    @Test
    void aDispatchedJobGetsACancelAgainWhenItsWorkerStartsIt() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        assertThat(Harness.controls(h.cancel("j"))).hasSize(1);
        assertThat(Harness.controls(h.report("j", 1, SUBMITTING, null, null))).hasSize(1);
        assertThat(Harness.controls(h.report("j", 1, RUNNING, null, null))).hasSize(1);
    }

    @Test
    void cancelOfAFinishedJobIsANoOp() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, JobState.SUCCEEDED, null, 0);
        assertThat(h.cancel("j")).isEmpty();
    }

    @Test
    void cancelOfAnUnknownJobIsDeadLettered() {
        Harness h = new Harness();
        List<Output> out = h.cancel("nope");
        assertThat(Harness.events(out)).isEmpty();
        assertThat(Harness.deadLetters(out)).singleElement().satisfies(d -> assertThat(d.letter().reason()).isEqualTo("NOT_FOUND"));
    }

    @Test
    void aCancelNoWorkerConfirmsEndsCancelledAfterALeaseAndIsNeverRetried() {
        Harness h = new Harness();
        h.submit("queued-forever", spec(retry(3, null, null)));
        h.submit("silent", spec(retry(3, null, null)));
        h.tick();
        h.start("silent", 1);
        h.cancel("queued-forever"); // DISPATCHED: no worker has it yet
        h.cancel("silent");
        assertThat(h.advance(java.time.Duration.ofSeconds(29))).isEmpty();
        List<Output> out = h.advance(java.time.Duration.ofSeconds(1));
        assertThat(Harness.events(out)).extracting(e -> e.jobId() + ":" + e.state())
                .containsExactlyInAnyOrder("queued-forever:CANCELLED", "silent:CANCELLED");
        assertThat(h.advance(java.time.Duration.ofHours(1))).isEmpty();
        // a worker that picks the run up later is told to stop it
        assertThat(Harness.controls(h.report("queued-forever", 1, SUBMITTING, null, null))).hasSize(1);
    }
}
