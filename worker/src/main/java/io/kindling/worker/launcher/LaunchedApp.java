package io.kindling.worker.launcher;

import java.util.Optional;

/** A driver a {@link Launcher} started. Its methods block; call them from the attempt's own thread. */
public interface LaunchedApp {

    /** The Spark application id once Spark has one; empty if the driver ended without ever getting one. */
    Optional<String> awaitAppId() throws InterruptedException;

    /** Where people reach the driver's Spark UI, when the launcher knows it; goes into the RUNNING report. */
    default Optional<String> sparkUiUrl() {
        return Optional.empty();
    }

    /** Waits for the driver to end. When this returns, no more output will be written for the attempt. */
    AppExit awaitExit() throws InterruptedException;
}
