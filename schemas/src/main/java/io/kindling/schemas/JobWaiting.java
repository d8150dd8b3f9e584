package io.kindling.schemas;

import java.time.Instant;

/**
 * Why a job that has not started is not moving, as the api serves it beside the job's state
 * (computed when served, never stored).
 *
 * @param reason  what it waits for
 * @param message the same for people, naming the pool
 * @param since   since when, as far as the api knows (the last time a worker was seen, else when the api began to look)
 */
public record JobWaiting(Reason reason, String message, Instant since) {

    /** What a job waits for. */
    public enum Reason {
        /** No live worker serves the job's pool: nothing will take its attempt until one joins. */
        NO_LIVE_WORKER
    }
}
