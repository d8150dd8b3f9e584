package io.kindling.worker.launcher;

import io.kindling.schemas.RunAssignment;

/**
 * The seam between the worker and whatever runs Spark applications: {@code spark-submit} on this
 * host under an attempt shim ({@link SparkSubmitLauncher}), a driver pod. One launcher serves many attempts at once.
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

    /**
     * Finds an attempt launched earlier by a worker with the same id (this process, or one that
     * ran before it on this host and crashed or was stopped), so that it is watched instead of
     * launched a second time. Deterministic identity makes this possible: the attempt id names its
     * spool directory, its Spark app, its driver pod. The default finds nothing.
     */
    default Adoption adopt(RunAssignment run) throws InterruptedException {
        return new Adoption.NotLaunched();
    }

    /**
     * Releases what the launcher holds; the worker is shutting down. Drivers keep running: a
     * restarted worker adopts them ({@link #adopt}). Launchers that cannot leave a driver behind
     * safely stop it here.
     */
    @Override
    void close();
}
