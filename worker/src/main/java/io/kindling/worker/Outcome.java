package io.kindling.worker;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;

/**
 * How an attempt ended, as its terminal report says it: decided in one place from the driver's
 * exit and why the worker stopped it, if it did.
 *
 * @param exitCode null when unknown (never started, or lost)
 */
record Outcome(JobState state, FailureReason reason, String message, Integer exitCode) {

    /**
     * @param exitCode   the driver's exit code; null or negative when unknown
     * @param terminated it was stopped on purpose
     * @param reason     the launcher's or shim's own verdict (SUBMISSION_FAILED, LOST, OOM_KILLED …), or null
     * @param stop       why this worker stopped it, or null
     */
    static Outcome of(Integer exitCode, boolean terminated, FailureReason reason, String message, StopRequest stop) {
        Integer code = exitCode == null || exitCode < 0 ? null : exitCode;
        if (code != null && code == 0 && !terminated && reason == null) {
            return new Outcome(JobState.SUCCEEDED, null, null, 0);
        }
        if (stop != null) {
            JobState state = stop.reason() == FailureReason.CANCELLED ? JobState.CANCELLED : JobState.FAILED;
            return new Outcome(state, stop.reason(), stop.message(), code);
        }
        if (reason != null) {
            return new Outcome(JobState.FAILED, reason, message, code);
        }
        if (terminated) {
            return new Outcome(JobState.CANCELLED, FailureReason.CANCELLED,
                    "stopped on the worker host (its supervisor was sent SIGTERM)", code);
        }
        return new Outcome(JobState.FAILED, FailureReason.APP_FAILED,
                message != null ? message : "spark-submit exited with code " + code, code);
    }
}
