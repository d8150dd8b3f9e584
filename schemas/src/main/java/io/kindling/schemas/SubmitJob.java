package io.kindling.schemas;

import java.time.Instant;

/**
 * Run the job described by {@code spec} under the id {@code jobId}; {@code principal} (optional)
 * is who submitted it, copied into the QUEUED event.
 */
public record SubmitJob(String jobId, JobSpec spec, Instant submittedAt, String principal) implements JobCommand {
    /** A submission that names no principal. */
    public SubmitJob(String jobId, JobSpec spec, Instant submittedAt) {
        this(jobId, spec, submittedAt, null);
    }
}
