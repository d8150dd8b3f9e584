package io.kindling.schemas;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A job as the api shows it: its state and every attempt. */
public record JobView(
        String id,
        String name,
        String pool,
        String tenant,
        JobState state,
        FailureReason reason,
        String message,
        Map<String, String> labels,
        Instant submittedAt,
        Instant updatedAt,
        List<AttemptView> attempts) {

    public JobView {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** The latest attempt, if there is one. */
    public java.util.Optional<AttemptView> latestAttempt() {
        return attempts.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(attempts.get(attempts.size() - 1));
    }
}
