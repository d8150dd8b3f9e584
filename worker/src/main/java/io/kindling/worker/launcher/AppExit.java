package io.kindling.worker.launcher;

/**
 * How a driver ended.
 *
 * @param exitCode  the process exit code (128 + signal when a signal ended it)
 * @param cancelled true when {@link Launcher#cancel} ended it
 * @param message   a short reason for people (e.g. the last meaningful stderr line) when it failed, else null
 */
public record AppExit(int exitCode, boolean cancelled, String message) {

    public boolean succeeded() {
        return exitCode == 0 && !cancelled;
    }
}
