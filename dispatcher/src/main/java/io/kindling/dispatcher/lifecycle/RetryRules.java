package io.kindling.dispatcher.lifecycle;

import io.github.resilience4j.core.IntervalFunction;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether a failed attempt is retried, and after how long. Pure.
 * <ul>
 *   <li>Each field of the request's {@code retry} block wins; the pool's fills what it leaves
 *       out; then the defaults (maxAttempts 1, maxSubmissionAttempts 3, backoff 5..300 s,
 *       retryOn [SUBMISSION_FAILED, LOST]).</li>
 *   <li>{@code retryOn}: the request's if it names one; else, if the request sets
 *       {@code maxAttempts > 1}, every retryable reason ({@link #ALL_RETRYABLE}); else the pool's;
 *       else, if the effective maxAttempts is above 1, every retryable reason; else the default.</li>
 *   <li>SUBMISSION_FAILED attempts count against {@code maxSubmissionAttempts}; every other
 *       failure against {@code maxAttempts}. CANCELLED and REJECTED are never retried.</li>
 *   <li>Backoff before retry {@code n} (n = number of the attempt that failed): exponential
 *       ({@code initial * 2^(n-1)}) with ±50% jitter (Resilience4j), capped at maxBackoffSeconds.</li>
 * </ul>
 */
public final class RetryRules {
    public static final int DEFAULT_MAX_ATTEMPTS = 1;
    public static final int DEFAULT_MAX_SUBMISSION_ATTEMPTS = 3;
    public static final int DEFAULT_INITIAL_BACKOFF_SECONDS = 5;
    public static final int DEFAULT_MAX_BACKOFF_SECONDS = 300;
    public static final List<FailureReason> DEFAULT_RETRY_ON = List.of(FailureReason.SUBMISSION_FAILED, FailureReason.LOST);
    public static final List<FailureReason> ALL_RETRYABLE = List.of(FailureReason.SUBMISSION_FAILED,
            FailureReason.APP_FAILED, FailureReason.OOM_KILLED, FailureReason.IMAGE_PULL, FailureReason.TIMED_OUT,
            FailureReason.LOST);
    static final double MULTIPLIER = 2.0;
    static final double JITTER = 0.5;

    private RetryRules() {
    }

    /** The policy that applies to a job: every field set. */
    public static RetryPolicy effective(RetryPolicy request, RetryPolicy pool) {
        RetryPolicy req = request != null ? request : new RetryPolicy(null, null, null, null, null);
        RetryPolicy def = pool != null ? pool : new RetryPolicy(null, null, null, null, null);
        int maxAttempts = first(req.maxAttempts(), def.maxAttempts(), DEFAULT_MAX_ATTEMPTS);
        int initial = first(req.initialBackoffSeconds(), def.initialBackoffSeconds(), DEFAULT_INITIAL_BACKOFF_SECONDS);
        int max = Math.max(initial, first(req.maxBackoffSeconds(), def.maxBackoffSeconds(), DEFAULT_MAX_BACKOFF_SECONDS));
        List<FailureReason> retryOn;
        if (req.retryOn() != null) {
            retryOn = req.retryOn();
        } else if (req.maxAttempts() != null && req.maxAttempts() > 1) {
            retryOn = ALL_RETRYABLE;
        } else if (def.retryOn() != null) {
            retryOn = def.retryOn();
        } else {
            retryOn = maxAttempts > 1 ? ALL_RETRYABLE : DEFAULT_RETRY_ON;
        }
        return new RetryPolicy(maxAttempts,
                first(req.maxSubmissionAttempts(), def.maxSubmissionAttempts(), DEFAULT_MAX_SUBMISSION_ATTEMPTS),
                initial, max, retryOn);
    }

    /**
     * The backoff before the next attempt, or empty when the failure is final.
     *
     * @param submissionFailures SUBMISSION_FAILED attempts so far, this one included
     * @param otherFailures other failed attempts so far, this one included
     * @param failedAttempt the number of the attempt that failed
     */
    public static Optional<Duration> retryAfter(RetryPolicy effective, FailureReason reason, int submissionFailures,
            int otherFailures, int failedAttempt) {
        if (reason == FailureReason.CANCELLED || reason == FailureReason.REJECTED || !effective.retryOn().contains(reason)) {
            return Optional.empty();
        }
        boolean budgetLeft = reason == FailureReason.SUBMISSION_FAILED
                ? submissionFailures < effective.maxSubmissionAttempts()
                : otherFailures < effective.maxAttempts();
        return budgetLeft ? Optional.of(backoff(effective, failedAttempt)) : Optional.empty();
    }

    /** Exponential backoff with jitter for retry number {@code n} (1 = the first retry), within [0, max]. */
    public static Duration backoff(RetryPolicy effective, int n) {
        long initialMs = effective.initialBackoffSeconds() * 1000L;
        long maxMs = effective.maxBackoffSeconds() * 1000L;
        if (initialMs <= 0 || maxMs <= 0) {
            return Duration.ZERO;
        }
        long ms = IntervalFunction.ofExponentialRandomBackoff(initialMs, MULTIPLIER, JITTER, maxMs).apply(Math.max(1, n));
        return Duration.ofMillis(Math.max(0, Math.min(ms, maxMs)));
    }

    private static int first(Integer a, Integer b, int fallback) {
        return a != null ? a : b != null ? b : fallback;
    }
}
