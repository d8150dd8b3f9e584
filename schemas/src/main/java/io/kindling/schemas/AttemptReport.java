package io.kindling.schemas;

import java.time.Instant;

/**
 * A worker's report about one attempt it runs, on the reports topic (key = job id).
 * {@code type} is {@code STATE} (the attempt moved to {@code state}: SUBMITTING, RUNNING, or an
 * end: SUCCEEDED, FAILED, CANCELLED) or {@code HEARTBEAT} (the worker still holds the attempt;
 * {@code state} is its current state). The dispatcher holds a lease per attempt that every
 * report renews.
 */
public record AttemptReport(
        Type type,
        String jobId,
        int attempt,
        String attemptId,
        String pool,
        String workerId,
        JobState state,
        Instant time,
        FailureReason reason,
        String message,
        Integer exitCode,
        String sparkAppId,
        String sparkUiUrl) {

    /** What a report says. */
    public enum Type { STATE, HEARTBEAT }
}
