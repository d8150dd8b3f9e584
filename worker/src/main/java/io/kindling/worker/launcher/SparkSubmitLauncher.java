package io.kindling.worker.launcher;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.AttemptLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each attempt as {@code <sparkHome>/bin/spark-submit --deploy-mode client} on this host, as
 * an argv list (never through a shell), with stdout and stderr appended to the attempt's spool
 * files and the event log written into its spool directory. The process runs in
 * {@code <spool>/<attemptId>/work} so that files an application drops in its working directory
 * ({@code spark-warehouse/}, {@code derby.log}) stay out of the spool files the log-shipper reads.
 */
public final class SparkSubmitLauncher implements Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSubmitLauncher.class);
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(10);
    static final String WORK_DIR = "work";
    static final String PYTHON_HOOK_DIR = "python";
    private static final String PYTHON_HOOK_RESOURCE = "/io/kindling/worker/python/sitecustomize.py";
    private static final Duration APP_ID_POLL = Duration.ofMillis(200);

    private final SparkSubmitCommand command;
    private final SpoolLayout spool;
    private final Duration killGrace;
    private final ConcurrentMap<String, SparkSubmitProcess> running = new ConcurrentHashMap<>();
    private boolean closed;

    public SparkSubmitLauncher(SparkSubmitConfig config, SpoolLayout spool, Map<String, String> workerEnv, Duration killGrace) {
        this.command = new SparkSubmitCommand(config, workerEnv);
        this.spool = spool;
        this.killGrace = killGrace;
    }

    public SparkSubmitLauncher(SparkSubmitConfig config, SpoolLayout spool) {
        this(config, spool, System.getenv(), DEFAULT_KILL_GRACE);
    }

    @Override
    public Launch launch(RunAssignment run) throws InterruptedException {
        String attemptId = run.attemptId();
        Path eventLogDir = spool.eventLogDir(attemptId);
        Path workDir = spool.attemptDir(attemptId).resolve(WORK_DIR);
        if (!Files.isExecutable(command.sparkSubmit())) {
            return new Launch.Refused("spark-submit not found or not executable at " + command.sparkSubmit()
                    + " (check KINDLING_SPARK_HOME)");
        }
        Path pythonHookDir = spool.attemptDir(attemptId).resolve(PYTHON_HOOK_DIR);
        SparkSubmitCommand.Command cmd;
        try {
            cmd = command.build(run, eventLogDir,
                    new SparkSubmitCommand.PythonStderr(pythonHookDir, spool.stream(attemptId, "stderr")));
        } catch (RefusedLaunchException e) {
            return new Launch.Refused(e.getMessage());
        }
        try {
            Files.createDirectories(eventLogDir);
            Files.createDirectories(workDir);
            installPythonHook(pythonHookDir);
        } catch (IOException e) {
            return new Launch.Refused("cannot prepare the spool directory " + spool.attemptDir(attemptId) + ": " + e);
        }
        ProcessBuilder builder = new ProcessBuilder(cmd.argv())
                .directory(workDir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(spool.stream(attemptId, "stdout").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(spool.stream(attemptId, "stderr").toFile()));
        builder.environment().clear();
        builder.environment().putAll(cmd.environment());
        Process process;
        synchronized (this) {
            if (closed) {
                return new Launch.Refused("the worker is shutting down");
            }
            try {
                process = builder.start();
            } catch (IOException | RuntimeException e) {
                return new Launch.Refused("cannot start " + cmd.argv().get(0) + ": " + e.getMessage());
            }
            SparkSubmitProcess app = new SparkSubmitProcess(run, process, eventLogDir,
                    spool.stream(attemptId, "stdout"), spool.stream(attemptId, "stderr"), APP_ID_POLL);
            running.put(attemptId, app);
            process.onExit().thenRun(() -> running.remove(attemptId, app));
            closeQuietly(process);
            LOG.info("started spark-submit (pid {}): {}", process.pid(), cmd.redacted());
            return new Launch.Started(app);
        }
    }

    /** Writes Kindling's sitecustomize.py (see {@link SparkSubmitCommand.PythonStderr}) into {@code dir}. */
    private static void installPythonHook(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (var in = SparkSubmitLauncher.class.getResourceAsStream(PYTHON_HOOK_RESOURCE)) {
            if (in == null) {
                throw new IOException("missing resource " + PYTHON_HOOK_RESOURCE);
            }
            Files.copy(in, dir.resolve("sitecustomize.py"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public boolean cancel(String attemptId) throws InterruptedException {
        SparkSubmitProcess app = running.get(attemptId);
        if (app == null) {
            return false;
        }
        AttemptLog.enter(app.run().jobId(), app.run().attempt());
        try {
            LOG.info("cancelling {} (pid {})", attemptId, app.pid());
            app.terminate(killGrace, true);
        } finally {
            AttemptLog.leave();
        }
        return true;
    }

    /**
     * Ends every driver still running, in parallel, and returns once they have ended. Used when the
     * worker stops; see {@code Worker#close} for what that means for the attempts.
     */
    @Override
    public void close() {
        List<SparkSubmitProcess> apps;
        synchronized (this) {
            closed = true;
            apps = new ArrayList<>(running.values());
        }
        List<Thread> stoppers = new ArrayList<>();
        for (SparkSubmitProcess app : apps) {
            RunAssignment run = app.run();
            stoppers.add(Thread.ofPlatform().name("stop-" + run.attemptId()).start(() -> {
                AttemptLog.enter(run.jobId(), run.attempt());
                try {
                    LOG.info("stopping {} (pid {}): the worker is shutting down", run.attemptId(), app.pid());
                    app.terminate(killGrace, false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    AttemptLog.leave();
                }
            }));
        }
        try {
            for (Thread stopper : stoppers) {
                stopper.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The driver reads nothing from us: close its stdin so it sees end-of-file rather than waiting. */
    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("closing the stdin of pid {} failed", process.pid(), e);
        }
    }
}
