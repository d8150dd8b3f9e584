package io.kindling.schemas;

import java.time.Instant;

/**
 * Stop the job: at once if it waits, on the cluster if it runs. {@code principal} (optional) is
 * who asked, copied into the CANCELLED event.
 */
public record CancelJob(String jobId, String reason, Instant requestedAt, String principal) implements JobCommand {
    /** A cancel that names no principal. */
    public CancelJob(String jobId, String reason, Instant requestedAt) {
        this(jobId, reason, requestedAt, null);
    }
}
