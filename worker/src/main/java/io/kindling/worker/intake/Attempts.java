package io.kindling.worker.intake;

import io.kindling.schemas.RunAssignment;

/** What the {@link RunLoop} hands run assignments to. Called on the consumer thread; must not block. */
public interface Attempts {

    /**
     * Starts the attempt on another thread, which reports through {@code progress}. False if it
     * cannot start now; the record is then delivered again later.
     */
    boolean start(RunAssignment run, Progress progress);

    /** True if the attempt already ended on this host (a redelivery to skip). */
    boolean finished(String attemptId);

    /** An attempt's milestones, reported from any thread. */
    interface Progress {
        /** The attempt has been launched and its SUBMITTING event acknowledged: its record may be committed. */
        void started();

        /** The attempt no longer needs its slot. Called once, last. */
        void finished();
    }
}
