package io.kindling.worker.launcher;

import io.kindling.schemas.RunAssignment;

/**
 * The seam between the worker and whatever runs Spark applications: {@code spark-submit} on this
 * host ({@link SparkSubmitLauncher}), later a driver pod. One launcher serves many attempts at once.
 *
 * <p>Failures are data: {@link #launch} never throws for a request it cannot run or a process it
 * cannot start; it returns a {@link Launch.Refused} whose message says why.
 */
public interface Launcher extends AutoCloseable {

    /** Starts the attempt's driver and returns at once; the caller watches it through {@link Launch.Started#app()}. */
    Launch launch(RunAssignment run) throws InterruptedException;

    /**
     * Stops the attempt's driver and everything it started, politely then forcibly; returns once
     * they have ended. Its {@link AppExit} then says {@code cancelled}. False if it is not running here.
     */
    boolean cancel(String attemptId) throws InterruptedException;

    /** Stops every driver still running (the worker is shutting down) and returns once they have ended. */
    @Override
    void close();
}
