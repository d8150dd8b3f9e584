package io.kindling.api.sessions;

/** The states of an interactive session as the api shows them (see {@link SessionStatus#of}). */
public enum SessionState {
    /** Queued, dispatched, its server starting, or a submission being retried. */
    STARTING,
    /** The Spark Connect server answers and its relay agent is started: clients may connect. */
    READY,
    /** Ended on purpose: {@link Reason#DELETED}, {@link Reason#IDLE}, {@link Reason#LIFETIME}, {@link Reason#SERVER_EXITED}. */
    ENDED,
    /** Could not start or was lost (the job's failure reason). */
    FAILED;

    /** Why a session ENDED. FAILED sessions carry the job's failure reason instead. */
    public enum Reason {
        DELETED, IDLE, LIFETIME, SERVER_EXITED
    }
}
