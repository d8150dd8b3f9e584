package io.kindling.worker.launcher;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.AttemptSpool;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.EventLogs;
import io.kindling.worker.shim.ExitWatch;
import io.kindling.worker.shim.ProcessTree;
import io.kindling.worker.shim.ShimExit;
import io.kindling.worker.shim.ShimInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * An attempt run by an {@link AttemptShim}, watched through its spool directory: the app id from
 * the event log directory (polled), the end from its exit record ({@link AttemptSpool#exit}: read
 * as soon as the {@link ExitWatch} sees it renamed into place, else at the next poll).
 * Works the same for an attempt this worker launched and for one it adopted.
 */
final class ShimApp implements LaunchedApp {
    static final Duration POLL = Duration.ofMillis(200);

    private final RunAssignment run;
    private final AttemptSpool spool;
    private final Path dir;
    private final ShimInfo shim;
    private final DriverPorts ports;
    private final SparkSubmitConfig.ClusterManager clusterIdsFrom;
    private final ExitWatch exits;
    private volatile boolean cancelled;

    ShimApp(RunAssignment run, AttemptSpool spool, ShimInfo shim) {
        this(run, spool, shim, null, null, ExitWatch.none());
    }

    /**
     * @param ports          the ports handed to the driver, or null
     * @param clusterIdsFrom when not null, the app id is also looked for in spark-submit's stderr
     *                       as this cluster manager's client prints it ({@link ClusterSubmission})
     * @param exits          wakes {@link #awaitExit} when the exit record appears
     */
    ShimApp(RunAssignment run, AttemptSpool spool, ShimInfo shim, DriverPorts ports,
            SparkSubmitConfig.ClusterManager clusterIdsFrom, ExitWatch exits) {
        this.run = run;
        this.spool = spool;
        this.dir = spool.dir(run.attemptId());
        this.shim = shim;
        this.ports = ports;
        this.clusterIdsFrom = clusterIdsFrom;
        this.exits = exits;
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
        try (ExitWatch.Signal recorded = exits.signal(run.attemptId())) {
            while (true) {
                Optional<ShimExit> exit = exit();
                if (exit.isPresent()) {
                    ShimExit e = exit.get();
                    return new AppExit(e.exitCode() == null ? -1 : e.exitCode(), cancelled || e.terminated(), e.message(),
                            e.reason());
                }
                if (gone()) {
                    // it may have written its exit record just before it ended
                    Optional<ShimExit> last = exit();
                    if (last.isEmpty()) {
                        killLeftovers();
                        return AppExit.lost("the attempt's supervisor (pid " + shimPid()
                                + ") ended without recording the driver's exit");
                    }
                    continue;
                }
                recorded.await(POLL);
            }
        }
    }

    /** Asks the shim to stop the driver (SIGTERM); waits for its exit record, then kills whatever is left. */
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

    private Optional<ShimExit> exit() {
        return spool.exit(run.attemptId());
    }
}
