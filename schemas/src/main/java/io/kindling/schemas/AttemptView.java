package io.kindling.schemas;

import java.time.Instant;

/** One attempt as the api shows it. */
public record AttemptView(
        int number,
        String attemptId,
        JobState state,
        String workerId,
        Integer exitCode,
        FailureReason reason,
        String message,
        String sparkAppId,
        String sparkUiUrl,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt) {
}
