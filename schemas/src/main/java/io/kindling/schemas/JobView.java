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
        Instant nextAttemptAt,
        Integer queuePosition,
        List<AttemptView> attempts,
        JobWaiting waiting) {

    public JobView {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        attempts = attempts == null ? List.of() : List.copyOf(attempts);
    }

    /** A view that waits for nothing (as folded from events: {@code waiting} is added when served). */
    public JobView(String id, String name, String pool, String tenant, JobState state, FailureReason reason, String message,
            Map<String, String> labels, Instant submittedAt, Instant updatedAt, Instant nextAttemptAt, Integer queuePosition,
            List<AttemptView> attempts) {
        this(id, name, pool, tenant, state, reason, message, labels, submittedAt, updatedAt, nextAttemptAt, queuePosition,
                attempts, null);
    }

    /** The same view with its place in the pool's queue (1 = next to be dispatched), null when not queued. */
    public JobView withQueuePosition(Integer position) {
        return new JobView(id, name, pool, tenant, state, reason, message, labels, submittedAt, updatedAt, nextAttemptAt,
                position, attempts, waiting);
    }

    /** The same view with what it waits for (null: nothing known). */
    public JobView withWaiting(JobWaiting why) {
        return new JobView(id, name, pool, tenant, state, reason, message, labels, submittedAt, updatedAt, nextAttemptAt,
                queuePosition, attempts, why);
    }

    /** Attempt {@code number}, or the latest when {@code number} is null; empty if there is no such attempt. */
    public java.util.Optional<AttemptView> attempt(Integer number) {
        return number == null ? latestAttempt()
                : attempts.stream().filter(a -> a.number() == number).findFirst();
    }

    /** The latest attempt, if there is one. */
    public java.util.Optional<AttemptView> latestAttempt() {
        return attempts.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(attempts.get(attempts.size() - 1));
    }
}
