package io.kindling.worker.launcher;

import io.kindling.schemas.RunAssignment;
import java.util.Optional;

/**
 * A launcher that starts nothing: every attempt "runs" at once as the Spark application
 * {@code no-op-<attemptId>} and exits with code 0. It measures the control plane alone (api,
 * dispatcher, worker, Kafka) in benchmarks and tests; it is chosen only in code
 * ({@code WorkerComponent.start} with a launcher override), never by configuration or by a job.
 */
public final class NoOpLauncher implements Launcher {
    /** The Spark application id each attempt reports as RUNNING. */
    public static String appId(String attemptId) {
        return "no-op-" + attemptId;
    }

    @Override
    public Launch launch(RunAssignment run) {
        String appId = appId(run.attemptId());
        return new Launch.Started(new LaunchedApp() {
            @Override
            public Optional<String> awaitAppId() {
                return Optional.of(appId);
            }

            @Override
            public AppExit awaitExit() {
                return new AppExit(0, false, null);
            }
        });
    }

    /** Nothing runs here to cancel: every attempt has already ended. */
    @Override
    public boolean cancel(String attemptId) {
        return false;
    }

    @Override
    public void close() {
        // holds nothing
    }
}
