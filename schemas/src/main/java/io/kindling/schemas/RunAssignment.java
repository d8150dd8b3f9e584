package io.kindling.schemas;

import java.time.Instant;

/** One attempt of one job to run, on the topic {@code runs.<pool>}, keyed by job id. */
public record RunAssignment(
        String jobId, int attempt, String attemptId, String pool, String tenant, JobSpec spec, Instant assignedAt) {

    public static RunAssignment of(String jobId, int attempt, JobSpec spec, Instant assignedAt) {
        return new RunAssignment(jobId, attempt, AttemptId.of(jobId, attempt), spec.pool(), spec.tenant(), spec, assignedAt);
    }
}
