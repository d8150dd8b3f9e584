package io.kindling.schemas;

import java.time.Instant;

/**
 * An instruction to the worker that runs an attempt, on the control topic (key = job id). Every
 * worker reads the whole topic and acts on the attempts it holds.
 */
public record WorkerControl(Type type, String jobId, int attempt, String attemptId, String pool, FailureReason reason,
        String message, Instant time) {

    /** The instructions. */
    public enum Type {
        /** Stop the attempt on the cluster; it ends CANCELLED (or TIMED_OUT, as {@code reason} says). */
        CANCEL
    }
}
