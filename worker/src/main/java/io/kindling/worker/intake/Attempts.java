package io.kindling.worker.intake;

import io.kindling.schemas.RunAssignment;

/** What the {@link RunLoop} hands run assignments to. Called on the consumer thread; must not block. */
public interface Attempts {

    /** False while the worker cannot take work yet (e.g. it has not read the controls sent while it was down). */
    boolean ready();

    /** Attempts that occupy a slot now (launched, adopted, or being reported). */
    int busy();

    /** True if the attempt is in a slot here already, or has ended here (a redelivery or replay to skip). */
    boolean holds(String attemptId);

    /**
     * Starts the attempt on another thread, which reports through {@code progress}. False if it
     * cannot start now; the record is then delivered again later.
     */
    boolean start(RunAssignment run, Progress progress);

    /** An attempt's milestones, reported from any thread. */
    interface Progress {
        /** The attempt has been launched and its SUBMITTING report acknowledged: its record may be committed. */
        void started();

        /** The attempt no longer needs its slot. Called once, last. */
        void finished();
    }
}
