package io.kindling.common.spool;

import io.kindling.schemas.RunAssignment;
import java.time.Instant;

/**
 * {@code attempt.json}: whose output a spool directory holds, and the assignment it runs
 * ({@code run}: what a restarted worker needs to adopt it; null in a spool written before it was kept here,
 * when the assignment is in {@code run.json}).
 */
public record SpoolAttempt(String jobId, int attempt, String attemptId, String tenant, String pool, String workerId,
        Instant startedAt, RunAssignment run) {

    /** An {@code attempt.json} without its assignment, as written before the assignment was kept in it. */
    public SpoolAttempt(String jobId, int attempt, String attemptId, String tenant, String pool, String workerId,
            Instant startedAt) {
        this(jobId, attempt, attemptId, tenant, pool, workerId, startedAt, null);
    }

    /** The attempt of an assignment, taken by {@code workerId} at {@code startedAt}. */
    public static SpoolAttempt of(RunAssignment run, String workerId, Instant startedAt) {
        return new SpoolAttempt(run.jobId(), run.attempt(), run.attemptId(), run.tenant(), run.pool(), workerId,
                startedAt, run);
    }
}
