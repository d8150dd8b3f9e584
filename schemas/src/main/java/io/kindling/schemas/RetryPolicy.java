package io.kindling.schemas;

import java.util.List;

/**
 * How a job is retried (the request's {@code retry} block; pool defaults fill what it leaves
 * out). Application failures and submission failures have separate budgets, as in the Spark
 * Operator's restartPolicy: {@code maxAttempts} bounds attempts that ended for a reason in
 * {@code retryOn} other than SUBMISSION_FAILED; {@code maxSubmissionAttempts} bounds attempts
 * that could not be started. Backoff is exponential with jitter between the two bounds.
 */
public record RetryPolicy(
        Integer maxAttempts,
        Integer maxSubmissionAttempts,
        Integer initialBackoffSeconds,
        Integer maxBackoffSeconds,
        List<FailureReason> retryOn) {

    public RetryPolicy {
        retryOn = retryOn == null ? null : List.copyOf(retryOn);
    }
}
