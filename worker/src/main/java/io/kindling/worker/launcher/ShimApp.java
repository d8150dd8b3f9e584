package io.kindling.worker.launcher;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.shim.AtomicFiles;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.EventLogs;
import io.kindling.worker.shim.ExitRecord;
import io.kindling.worker.shim.ProcessTree;
import io.kindling.worker.shim.ShimExit;
import io.kindling.worker.shim.ShimInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * An attempt run by an {@link AttemptShim}, watched through its spool directory: the app id from
 * the event log directory, the end from {@code exit.json} (polled), which the shim writes last.
 * Works the same for an attempt this worker launched and for one it adopted.
 */
final class ShimApp implements LaunchedApp {
    static final Duration POLL = Duration.ofMillis(200);

    private final RunAssignment run;
    private final Path dir;
    private final ShimInfo shim;
    private final DriverPorts ports;
    private final SparkSubmitConfig.ClusterManager clusterIdsFrom;
    private volatile boolean cancelled;

    ShimApp(RunAssignment run, Path dir, ShimInfo shim) {
        this(run, dir, shim, null, null);
    }

    /**
     * @param ports          the ports handed to the driver, or null
     * @param clusterIdsFrom when not null, the app id is also looked for in spark-submit's stderr
     *                       as this cluster manager's client prints it ({@link ClusterSubmission})
     */
    ShimApp(RunAssignment run, Path dir, ShimInfo shim, DriverPorts ports, SparkSubmitConfig.ClusterManager clusterIdsFrom) {
        this.run = run;
        this.dir = dir;
        this.shim = shim;
        this.ports = ports;
        this.clusterIdsFrom = clusterIdsFrom;
    }

    DriverPorts ports() {
        return ports;
    }

    @Override
    public Optional<String> sparkUiUrl() {
        return Optional.ofNullable(ports).map(DriverPorts::uiUrl);
    }

    /** The application's ids as spark-submit printed them to stderr (cluster submissions). */
    Optional<ClusterSubmission.Ids> clusterIds() {
        if (clusterIdsFrom == null) {
            return Optional.empty();
        }
        Path stderr = dir.resolve("stderr");
        try {
            if (!Files.exists(stderr)) {
                return Optional.empty();
            }
            byte[] bytes = Files.readAllBytes(stderr);
            return ClusterSubmission.find(clusterIdsFrom, new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    RunAssignment run() {
        return run;
    }

    long shimPid() {
        return shim == null ? -1 : shim.shimPid();
    }

    @Override
    public Optional<String> awaitAppId() throws InterruptedException {
        while (true) {
            Optional<String> id = EventLogs.appId(dir.resolve(SpoolLayout.EVENT_LOG_DIR));
            if (id.isPresent()) {
                return id;
            }
            Optional<ClusterSubmission.Ids> ids = clusterIds();
            if (ids.isPresent()) {
                return Optional.of(ids.get().appId());
            }
            Optional<ShimExit> exit = exit();
            if (exit.isPresent()) {
                return Optional.ofNullable(exit.get().sparkAppId());
            }
            if (gone()) {
                return Optional.empty();
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    @Override
    public AppExit awaitExit() throws InterruptedException {
        while (true) {
            Optional<ShimExit> exit = exit();
            if (exit.isPresent()) {
                ShimExit e = exit.get();
                return new AppExit(e.exitCode() == null ? -1 : e.exitCode(), cancelled || e.terminated(), e.message(),
                        e.reason());
            }
            if (gone()) {
                // it may have written exit.json just before it ended
                Optional<ShimExit> last = exit();
                if (last.isEmpty()) {
                    killLeftovers();
                    return AppExit.lost("the attempt's supervisor (pid " + shimPid()
                            + ") ended without recording the driver's exit");
                }
                continue;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Asks the shim to stop the driver (SIGTERM); waits for exit.json, then kills whatever is left. */
    void terminate(Duration grace) throws InterruptedException {
        cancelled = true;
        Optional<ProcessHandle> live = shim == null ? Optional.empty() : shim.liveShim();
        live.ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.plusSeconds(5).toNanos();
        while (exit().isEmpty() && live.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (exit().isEmpty()) {
            live.ifPresent(ProcessHandle::destroyForcibly);
            killLeftovers();
        }
    }

    boolean ended() {
        return exit().isPresent() || gone();
    }

    private boolean gone() {
        return shim == null || shim.liveShim().isEmpty();
    }

    private void killLeftovers() throws InterruptedException {
        if (shim != null) {
            Optional<ProcessHandle> child = shim.liveChild();
            if (child.isPresent()) {
                ProcessTree.terminate(child.get(), Duration.ofSeconds(2));
            }
        }
    }

    /** exit.json, or the worker's copy when the log-shipper has removed the directory already. */
    private Optional<ShimExit> exit() {
        Path file = dir.resolve(SpoolLayout.EXIT_FILE);
        Optional<ShimExit> exit = Files.exists(file) ? AtomicFiles.readJson(file, ShimExit.class) : Optional.empty();
        if (exit.isPresent()) {
            return exit;
        }
        Path record = ExitRecord.file(dir.getParent(), dir.getFileName().toString());
        return Files.exists(record) ? AtomicFiles.readJson(record, ExitRecord.class).map(ExitRecord::exit)
                : Optional.empty();
    }
}
