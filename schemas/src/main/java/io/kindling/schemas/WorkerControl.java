package io.kindling.schemas;

import java.time.Instant;

/**
 * An instruction to the worker that runs an attempt, on the control topic (key = job id). Every
 * worker reads the whole topic and acts on the attempts it holds; when {@code workerId} is set,
 * only that worker acts on it (the dispatcher fences a worker that runs an attempt another holds).
 */
public record WorkerControl(Type type, String jobId, int attempt, String attemptId, String pool, FailureReason reason,
        String message, Instant time, String workerId) {

    /** An instruction for whichever worker holds the attempt. */
    public WorkerControl(Type type, String jobId, int attempt, String attemptId, String pool, FailureReason reason,
            String message, Instant time) {
        this(type, jobId, attempt, attemptId, pool, reason, message, time, null);
    }

    /** The instructions. */
    public enum Type {
        /** Stop the attempt on the cluster; it ends CANCELLED (or TIMED_OUT, as {@code reason} says). */
        CANCEL
    }
}
