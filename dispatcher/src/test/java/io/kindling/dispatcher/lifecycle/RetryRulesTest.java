package io.kindling.dispatcher.lifecycle;

import static io.kindling.schemas.FailureReason.APP_FAILED;
import static io.kindling.schemas.FailureReason.LOST;
import static io.kindling.schemas.FailureReason.SUBMISSION_FAILED;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RetryPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryRulesTest {

    @Test
    void defaultsApplyWhenNobodySaysAnything() {
        assertThat(RetryRules.effective(null, null)).isEqualTo(new RetryPolicy(1, 3, 5, 300, List.of(SUBMISSION_FAILED, LOST)));
    }

    @Test
    void aRequestWithMaxAttemptsAndNoRetryOnRetriesEveryRetryableReason() {
        RetryPolicy pool = new RetryPolicy(null, null, null, null, List.of(SUBMISSION_FAILED));
        RetryPolicy p = RetryRules.effective(new RetryPolicy(3, null, null, null, null), pool);
        assertThat(p.retryOn()).containsExactlyElementsOf(RetryRules.ALL_RETRYABLE);
        assertThat(p.retryOn()).doesNotContain(FailureReason.CANCELLED, FailureReason.REJECTED);
    }

    @Test
    void requestFieldsWinAndPoolFieldsFillTheRest() {
        RetryPolicy pool = new RetryPolicy(4, 6, 1, 20, List.of(APP_FAILED));
        RetryPolicy p = RetryRules.effective(new RetryPolicy(null, 2, null, null, null), pool);
        assertThat(p).isEqualTo(new RetryPolicy(4, 2, 1, 20, List.of(APP_FAILED)));
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndStaysUnderTheCap() {
        RetryPolicy p = new RetryPolicy(10, 3, 2, 10, RetryRules.ALL_RETRYABLE);
        for (int i = 0; i < 200; i++) {
            assertThat(RetryRules.backoff(p, 1).toMillis()).isBetween(1000L, 3000L);
            assertThat(RetryRules.backoff(p, 2).toMillis()).isBetween(2000L, 6000L);
            assertThat(RetryRules.backoff(p, 6).toMillis()).isBetween(0L, 10_000L);
        }
        assertThat(RetryRules.backoff(new RetryPolicy(3, 3, 0, 0, List.of()), 1)).isEqualTo(Duration.ZERO);
    }

    @Test
    void cancelledAndRejectedAreNeverRetried() {
        RetryPolicy p = new RetryPolicy(9, 9, 1, 1, List.of(FailureReason.values()));
        assertThat(RetryRules.retryAfter(p, FailureReason.CANCELLED, 0, 1, 1)).isEmpty();
        assertThat(RetryRules.retryAfter(p, FailureReason.REJECTED, 0, 1, 1)).isEmpty();
        assertThat(RetryRules.retryAfter(p, APP_FAILED, 0, 1, 1)).isPresent();
        assertThat(RetryRules.retryAfter(p, APP_FAILED, 0, 9, 9)).isEmpty();
    }

    @Test
    void aSessionsPolicyRetriesOnlyItsServersSubmissionFailuresWhateverThePoolSays() {
        // what the api sets on a session's job (SessionSpecs): one run, three tries to start it
        RetryPolicy session = new RetryPolicy(1, 3, null, null, List.of(FailureReason.SUBMISSION_FAILED));
        RetryPolicy generousPool = new RetryPolicy(5, 5, 1, 1, RetryRules.ALL_RETRYABLE);
        RetryPolicy p = RetryRules.effective(session, generousPool);
        assertThat(RetryRules.retryAfter(p, FailureReason.SUBMISSION_FAILED, 1, 0, 1)).isPresent();
        assertThat(RetryRules.retryAfter(p, FailureReason.SUBMISSION_FAILED, 3, 0, 3)).isEmpty();
        for (FailureReason other : List.of(APP_FAILED, FailureReason.LOST, FailureReason.TIMED_OUT, FailureReason.OOM_KILLED)) {
            assertThat(RetryRules.retryAfter(p, other, 0, 1, 1)).as("a session is not restarted after %s", other).isEmpty();
        }
    }
}
