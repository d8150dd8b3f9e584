package io.kindling.worker.launcher;

import io.kindling.schemas.FailureReason;

/**
 * How a driver ended.
 *
 * @param exitCode  the process exit code (128 + signal when a signal ended it); -1 when unknown
 * @param cancelled true when it was stopped on purpose ({@link Launcher#cancel}, or a signal to its supervisor)
 * @param message   a short reason for people (e.g. the last meaningful stderr line) when it failed, else null
 * @param reason    when not null, why it failed regardless of the exit code (e.g. LOST: its
 *                  supervisor vanished or fenced it; OOM_KILLED); null to judge by the exit code
 */
public record AppExit(int exitCode, boolean cancelled, String message, FailureReason reason) {

    public AppExit(int exitCode, boolean cancelled, String message) {
        this(exitCode, cancelled, message, null);
    }

    /** The driver's fate is unknown: whatever watched it is gone. */
    public static AppExit lost(String message) {
        return new AppExit(-1, false, message, FailureReason.LOST);
    }

    public boolean succeeded() {
        return exitCode == 0 && !cancelled && reason == null;
    }
}
