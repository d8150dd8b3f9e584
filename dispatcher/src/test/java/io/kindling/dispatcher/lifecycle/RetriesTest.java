package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.retry;
import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static io.kindling.schemas.FailureReason.APP_FAILED;
import static io.kindling.schemas.FailureReason.SUBMISSION_FAILED;
import static io.kindling.schemas.JobState.DISPATCHED;
import static io.kindling.schemas.JobState.FAILED;
import static io.kindling.schemas.JobState.QUEUED;
import static io.kindling.schemas.JobState.RETRYING;
import static io.kindling.schemas.JobState.RUNNING;
import static io.kindling.schemas.JobState.SUBMITTING;
import static io.kindling.schemas.JobState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetriesTest {

    @Test
    void submitQueuesThenTheTickDispatchesAttemptOne() {
        Harness h = new Harness();
        assertThat(Harness.events(h.submit("j", spec(null)))).extracting(JobEvent::state).containsExactly(QUEUED);
        List<Output> out = h.tick();
        assertThat(Harness.runs(out)).singleElement().satisfies(r -> assertThat(r.run().attemptId()).isEqualTo("j-a1"));
        assertThat(Harness.events(out)).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(DISPATCHED);
            assertThat(e.eventId()).isEqualTo("j-a1/DISPATCHED");
        });
        h.start("j", 1);
        h.report("j", 1, SUCCEEDED, null, 0);
        assertThat(h.statesOf("j")).containsExactly(QUEUED, DISPATCHED, SUBMITTING, RUNNING, SUCCEEDED);
        assertThat(h.tick()).isEmpty();
    }

    @Test
    void appExitingThreeWithMaxAttemptsThreeFailsAfterExactlyThreeAttemptsSpacedByTheBackoff() {
        Harness h = new Harness();
        RetryPolicy policy = new RetryPolicy(3, null, 2, 100, null);
        h.submit("j", spec(policy));
        h.tick();
        for (int attempt = 1; attempt <= 3; attempt++) {
            h.start("j", attempt);
            Instant failedAt = h.now;
            h.report("j", attempt, FAILED, APP_FAILED, 3);
            JobEvent end = h.lastEvent("j");
            assertThat(end.attempt()).isEqualTo(attempt);
            assertThat(end.reason()).isEqualTo(APP_FAILED);
            assertThat(end.exitCode()).isEqualTo(3);
            if (attempt < 3) {
                assertThat(end.state()).isEqualTo(RETRYING);
                long base = 2000L << (attempt - 1);
                assertThat(Duration.between(failedAt, end.nextAttemptAt()).toMillis()).isBetween(base / 2, base * 3 / 2);
                assertThat(h.advanceTo(end.nextAttemptAt().minusMillis(1))).isEmpty();
                assertThat(Harness.runs(h.advanceTo(end.nextAttemptAt()))).hasSize(1);
            } else {
                assertThat(end.state()).isEqualTo(FAILED);
            }
        }
        assertThat(h.statesOf("j").stream().filter(s -> s == DISPATCHED)).hasSize(3);
        assertThat(h.advance(Duration.ofHours(1))).isEmpty();
    }

    @Test
    void withoutRetryBlockAnAppFailureIsFinal() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, FAILED, APP_FAILED, 1);
        assertThat(h.lastEvent("j").state()).isEqualTo(FAILED);
        assertThat(h.lastEvent("j").message()).isEqualTo("m");
    }

    @Test
    void submissionFailuresHaveTheirOwnBudgetOfThreeByDefault() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        for (int attempt = 1; attempt <= 3; attempt++) {
            h.report("j", attempt, SUBMITTING, null, null);
            h.report("j", attempt, FAILED, SUBMISSION_FAILED, 1);
            h.advance(Duration.ofMinutes(10));
        }
        assertThat(h.statesOf("j")).containsSubsequence(RETRYING, RETRYING, FAILED);
        assertThat(h.lastEvent("j").attempt()).isEqualTo(3);
        assertThat(h.lastEvent("j").reason()).isEqualTo(SUBMISSION_FAILED);
    }

    @Test
    void budgetsAreCountedSeparately() {
        // maxAttempts 2, maxSubmissionAttempts 2: SUB (retry), APP (retry), SUB (no submission budget left)
        assertThat(run(List.of(SUBMISSION_FAILED, APP_FAILED, SUBMISSION_FAILED))).containsExactly(RETRYING, RETRYING, FAILED);
        // APP (retry), SUB (retry), APP (no application budget left)
        assertThat(run(List.of(APP_FAILED, SUBMISSION_FAILED, APP_FAILED))).containsExactly(RETRYING, RETRYING, FAILED);
    }

    private static List<JobState> run(List<FailureReason> reasons) {
        Harness h = new Harness();
        h.submit("j", spec(retry(2, 2, null)));
        h.tick();
        for (int i = 0; i < reasons.size(); i++) {
            h.report("j", i + 1, SUBMITTING, null, null);
            h.report("j", i + 1, FAILED, reasons.get(i), 1);
            h.advance(Duration.ofMinutes(10));
        }
        return h.statesOf("j").stream().filter(s -> s == RETRYING || s == FAILED).toList();
    }

    @Test
    void aReasonOutsideRetryOnIsFinal() {
        Harness h = new Harness();
        h.submit("j", spec(retry(5, null, List.of(FailureReason.OOM_KILLED))));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, FAILED, APP_FAILED, 1);
        assertThat(h.lastEvent("j").state()).isEqualTo(FAILED);
    }

    @Test
    void aFailureWithoutReasonCountsAsAppFailed() {
        Harness h = new Harness();
        h.submit("j", spec(retry(2, null, null)));
        h.tick();
        h.start("j", 1);
        h.report("j", 1, FAILED, null, 1);
        assertThat(h.lastEvent("j").state()).isEqualTo(RETRYING);
        assertThat(h.lastEvent("j").reason()).isEqualTo(APP_FAILED);
    }
}
