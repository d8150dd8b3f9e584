package io.kindling.schemas;

/** The states of a job, and of each of its attempts. */
public enum JobState {
    QUEUED(false),
    DISPATCHED(false),
    SUBMITTING(false),
    RUNNING(false),
    RETRYING(false),
    SUCCEEDED(true),
    FAILED(true),
    CANCELLED(true),
    REJECTED(true);

    private final boolean terminal;

    JobState(boolean terminal) {
        this.terminal = terminal;
    }

    /** A terminal state never changes again. */
    public boolean terminal() {
        return terminal;
    }
}
