package io.kindling.worker.launcher;

import io.kindling.schemas.RunAssignment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One running {@code spark-submit}. Its stdout and stderr go straight to the spool files (the OS
 * writes them, so nothing is lost if the worker dies); the app id is read from the event log
 * directory, polled while the process lives.
 */
final class SparkSubmitProcess implements LaunchedApp {
    private final RunAssignment run;
    private final Process process;
    private final Path eventLogDir;
    private final Path stdout;
    private final Path stderr;
    private final Duration pollInterval;
    private volatile boolean cancelled;

    SparkSubmitProcess(RunAssignment run, Process process, Path eventLogDir, Path stdout, Path stderr,
            Duration pollInterval) {
        this.run = run;
        this.process = process;
        this.eventLogDir = eventLogDir;
        this.stdout = stdout;
        this.stderr = stderr;
        this.pollInterval = pollInterval;
    }

    RunAssignment run() {
        return run;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public Optional<String> awaitAppId() throws InterruptedException {
        while (true) {
            boolean alive = process.isAlive();
            Optional<String> id = EventLogs.appId(eventLogDir);
            if (id.isPresent() || !alive) {
                return id;
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }

    @Override
    public AppExit awaitExit() throws InterruptedException {
        int code = process.waitFor();
        return new AppExit(code, cancelled, code == 0 ? null : message(code));
    }

    /** Ends the driver and its descendants; {@code cancel} marks the exit as a cancellation. */
    void terminate(Duration grace, boolean cancel) throws InterruptedException {
        if (cancel) {
            cancelled = true;
        }
        ProcessTree.terminate(process.toHandle(), grace);
    }

    private String message(int code) {
        if (cancelled) {
            return "cancelled";
        }
        String reason = FailureMessage.of(stderr, stdout);
        return reason != null ? reason : "spark-submit exited with code " + code;
    }
}
