package io.kindling.common.spool;

import java.time.Instant;

/** {@code attempt.json}: whose output a spool directory holds. */
public record SpoolAttempt(String jobId, int attempt, String attemptId, String tenant, String pool, String workerId,
        Instant startedAt) {
}
