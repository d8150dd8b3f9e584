package io.kindling.schemas;

import java.time.Instant;

/**
 * One state change of one job, on the events topic, keyed by job id. Attempt fields describe
 * attempt {@link #attempt()}. {@code principal} is who submitted (QUEUED) or cancelled (CANCELLED)
 * the job, when known. Build them with {@link JobEvents}.
 */
public record JobEvent(
        String eventId,
        String jobId,
        JobState state,
        Instant time,
        Integer attempt,
        String attemptId,
        FailureReason reason,
        String message,
        Integer exitCode,
        String sparkAppId,
        String sparkUiUrl,
        String workerId,
        String pool,
        String tenant,
        JobSpec spec,
        Instant submittedAt,
        Instant nextAttemptAt,
        String principal) {
}
