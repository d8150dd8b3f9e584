package io.kindling.schemas;

import java.time.Instant;

/** Stop the job: at once if it waits, on the cluster if it runs. */
public record CancelJob(String jobId, String reason, Instant requestedAt) implements JobCommand {
}
