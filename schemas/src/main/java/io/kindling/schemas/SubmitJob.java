package io.kindling.schemas;

import java.time.Instant;

/** Run the job described by {@code spec} under the id {@code jobId}. */
public record SubmitJob(String jobId, JobSpec spec, Instant submittedAt) implements JobCommand {
}
