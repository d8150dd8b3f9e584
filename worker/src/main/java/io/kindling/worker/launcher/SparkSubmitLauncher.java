package io.kindling.worker.launcher;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.AttemptLog;
import io.kindling.worker.AttemptSpool;
import io.kindling.worker.artifacts.ArtifactException;
import io.kindling.worker.artifacts.ArtifactFetcher;
import io.kindling.worker.artifacts.ArtifactResolver;
import io.kindling.worker.shim.AttemptShim;
import io.kindling.worker.shim.ExitWatch;
import io.kindling.worker.shim.ShimInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each attempt as {@code <sparkHome>/bin/spark-submit} (the pool's master and deploy mode) on this host,
 * as an argv list (never through a shell), under an {@link AttemptShim}: a small native supervisor
 * that outlives the worker, appends the driver's stdout and stderr to the attempt's spool files
 * and records its exit code when it ends. The event log goes into the spool directory; the
 * driver runs in {@code <spool>/<attemptId>/work} so that files an application drops in its
 * working directory stay out of the spool files the log-shipper reads.
 *
 * <p>A restarted worker {@link #adopt adopts} the shims still running. {@link #close()} leaves
 * them running; {@link #cancel} stops one (SIGTERM to the shim, which stops spark-submit's whole
 * process tree).
 */
public final class SparkSubmitLauncher implements Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSubmitLauncher.class);
    public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);
    static final String WORK_DIR = AttemptShim.WORK_DIR;
    static final String PYTHON_HOOK_DIR = "python";
    private static final String PYTHON_HOOK_RESOURCE = "/io/kindling/worker/python/sitecustomize.py";
    private static final Duration SHIM_START = Duration.ofSeconds(30);
    /** The environment of the shim itself (the driver's is handed over on its stdin). */
    private static final java.util.Set<String> SHIM_ENV = java.util.Set.of("PATH", "HOME", "LANG", "LC_ALL", "TZ",
            "TMPDIR");


    private final SparkSubmitConfig config;
    private final SparkSubmitCommand command;
    /** A session's Spark Connect server: client mode on this host whatever the pool's deploy mode. */
    private final SparkSubmitCommand sessionCommand;
    private final SpoolLayout spool;
    private final AttemptSpool attempts;
    /** Found (or copied out of the jar) when the launcher is made, not on an attempt's launch path. */
    private final AttemptShim shim;
    /** Wakes an attempt's watcher when its shim records the exit (no poll interval between the driver's end and its report). */
    private final ExitWatch exits;
    private final Map<String, String> workerEnv;
    private final Duration killGrace;
    private final Duration fenceAfter;
    private final ConcurrentMap<String, ShimApp> running = new ConcurrentHashMap<>();
    /** Driver ports held by attempts launched (or being launched) here, until they end. */
    private final ConcurrentMap<String, DriverPorts> reservedPorts = new ConcurrentHashMap<>();
    private final ArtifactResolver artifacts;
    private final ClusterKills clusterKills;
    private volatile boolean closed;

    /**
     * @param fenceAfter how long a shim runs on without the worker renewing the attempt's lease
     *                   before it stops the driver itself; zero to never fence
     * @param artifacts  fetches the run's {@code artifact://} URIs before its argv is built
     */
    public SparkSubmitLauncher(SparkSubmitConfig config, SpoolLayout spool, Map<String, String> workerEnv,
            Duration killGrace, Duration fenceAfter, ArtifactFetcher artifacts) {
        this.artifacts = new ArtifactResolver(artifacts);
        this.config = config;
        this.command = new SparkSubmitCommand(config, workerEnv);
        this.sessionCommand = new SparkSubmitCommand(config.inClientMode(), workerEnv);
        this.clusterKills = new ClusterKills(config, workerEnv, command.killEnvironment());
        this.spool = spool;
        this.attempts = new AttemptSpool(spool);
        this.workerEnv = Map.copyOf(workerEnv);
        this.killGrace = killGrace;
        this.fenceAfter = fenceAfter;
        try {
            this.shim = AttemptShim.installed(spool.root());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot install the attempt shim: " + e.getMessage(), e);
        }
        this.exits = ExitWatch.on(spool.root());
    }

    /** Without a blob store: {@code artifact://} URIs are refused. */
    public SparkSubmitLauncher(SparkSubmitConfig config, SpoolLayout spool, Map<String, String> workerEnv,
            Duration killGrace, Duration fenceAfter) {
        this(config, spool, workerEnv, killGrace, fenceAfter, ArtifactFetcher.none());
    }

    public SparkSubmitLauncher(SparkSubmitConfig config, SpoolLayout spool, Map<String, String> workerEnv, Duration killGrace) {
        this(config, spool, workerEnv, killGrace, Duration.ZERO);
    }

    public SparkSubmitLauncher(SparkSubmitConfig config, SpoolLayout spool) {
        this(config, spool, System.getenv(), DEFAULT_KILL_GRACE, Duration.ZERO);
    }

    @Override
    public Launch launch(RunAssignment run) throws InterruptedException {
        if (closed) {
            return new Launch.Refused("the worker is shutting down");
        }
        reservedPorts.keySet().removeIf(id -> Optional.ofNullable(running.get(id)).map(ShimApp::ended).orElse(false));
        running.values().removeIf(ShimApp::ended);
        String attemptId = run.attemptId();
        Path dir = spool.attemptDir(attemptId);
        Path eventLogDir = spool.eventLogDir(attemptId);
        boolean session = SparkConnectServer.isSession(run);
        SparkSubmitConfig config = configFor(run);
        SparkSubmitCommand command = session ? sessionCommand : this.command;
        if (!Files.isExecutable(command.sparkSubmit())) {
            return new Launch.Refused("spark-submit not found or not executable at " + command.sparkSubmit()
                    + " (check KINDLING_SPARK_HOME)");
        }
        try {
            command.check(run);
            run = artifacts.resolve(run);
        } catch (io.kindling.common.pools.LaunchRefusedException e) {
            return Launch.Refused.of(e);
        } catch (ArtifactException e) {
            return new Launch.Refused(e.getMessage());
        }
        if (run.attempt() > 1 && ClusterSubmission.needsClusterKill(config)) {
            Optional<String> orphans = clusterKills.killOrphans(run, dir);
            if (orphans.isPresent()) {
                return new Launch.Refused(orphans.get());
            }
        }
        Path pythonHookDir = dir.resolve(PYTHON_HOOK_DIR);
        SparkSubmitCommand.Command cmd;
        Integer connectPort = null;
        DriverPorts ports = null;
        if (config.driverPorts() != null && !config.clusterMode()) {
            Optional<DriverPorts> free = reservePorts(attemptId);
            if (free.isEmpty()) {
                return new Launch.Refused("no free driver ports left in the pool's driverPortRange "
                        + config.driverPorts().first() + "-" + config.driverPorts().last());
            }
            ports = free.get();
        }
        try {
            connectPort = session ? SparkConnectServer.freePort() : null;
            cmd = command.build(run, eventLogDir,
                    new SparkSubmitCommand.PythonStderr(pythonHookDir, spool.stream(attemptId, "stderr")), ports, connectPort);
        } catch (io.kindling.common.pools.LaunchRefusedException e) {
            reservedPorts.remove(attemptId);
            return Launch.Refused.of(e);
        } catch (IOException e) {
            reservedPorts.remove(attemptId);
            return new Launch.Refused("no free loopback port for the session's Spark Connect server: " + e.getMessage());
        }
        byte[] environment;
        try {
            environment = AttemptShim.environment(cmd.environment());
            attempts.prepareLaunch(attemptId);
            if (connectPort != null) {
                SparkConnectServer.writePort(dir, connectPort);
            }
            installPythonHook(pythonHookDir);
        } catch (IOException | IllegalArgumentException e) {
            reservedPorts.remove(attemptId);
            return new Launch.Refused("cannot prepare the spool directory " + dir + ": " + e.getMessage());
        }
        ProcessBuilder builder = new ProcessBuilder(shim.command(dir, killGrace, fenceAfter, childArgv(config, cmd, dir)))
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(AttemptShim.SHIM_LOG).toFile()))
                .redirectErrorStream(true);
        builder.environment().clear();
        SHIM_ENV.forEach(key -> Optional.ofNullable(workerEnv.get(key)).ifPresent(v -> builder.environment().put(key, v)));
        Process starter;
        try {
            starter = builder.start();
            try (OutputStream stdin = starter.getOutputStream()) {
                stdin.write(environment);
            }
        } catch (IOException | RuntimeException e) {
            reservedPorts.remove(attemptId);
            return new Launch.Refused("cannot start the attempt shim for " + cmd.argv().get(0) + ": " + e.getMessage());
        }
        Launch launch = awaitStarted(run, starter, ports);
        if (launch instanceof Launch.Refused) {
            reservedPorts.remove(attemptId);
        }
        if (launch instanceof Launch.Started started) {
            LOG.info("started spark-submit under shim pid {}: {}", ((ShimApp) started.app()).shimPid(), cmd.redacted());
        }
        return launch;
    }

    /**
     * Waits for the process that started the shim to exit: by then the shim has exec'd
     * spark-submit (shim.json) or failed to (its exit record says why).
     */
    private Launch awaitStarted(RunAssignment run, Process starter, DriverPorts ports) throws InterruptedException {
        Path dir = spool.attemptDir(run.attemptId());
        if (!starter.waitFor(SHIM_START.toMillis(), TimeUnit.MILLISECONDS)) {
            starter.destroyForcibly();
            return new Launch.Refused("the attempt shim did not start spark-submit within " + SHIM_START.toSeconds() + " s");
        }
        Optional<ShimInfo> info = attempts.shim(run.attemptId());
        if (starter.exitValue() == AttemptShim.STARTED && info.isPresent()) {
            ShimApp app = new ShimApp(run, attempts, info.get(), ports, clusterIdsFrom(run), exits);
            running.put(run.attemptId(), app);
            return new Launch.Started(app);
        }
        return attempts.exit(run.attemptId()).filter(e -> e.message() != null)
                .<Launch>map(e -> new Launch.Refused(e.message()))
                .orElseGet(() -> new Launch.Refused("the attempt shim exited with code " + starter.exitValue()
                        + " before starting spark-submit (see " + dir.resolve(AttemptShim.SHIM_LOG) + ")"));
    }

    /**
     * An attempt whose spool directory says it was launched here: watched again if its shim still
     * runs (the same pid with the same start time) or it recorded the exit; if the shim is gone
     * without one, whatever is left of the driver is stopped and the attempt is vanished.
     */
    @Override
    public Adoption adopt(RunAssignment run) throws InterruptedException {
        String attemptId = run.attemptId();
        ShimApp known = running.get(attemptId);
        if (known != null) {
            return new Adoption.Running(known);
        }
        Path dir = spool.attemptDir(attemptId);
        Optional<ShimInfo> info = attempts.shim(attemptId);
        if (attempts.ended(attemptId)) {
            return new Adoption.Running(new ShimApp(run, attempts, info.orElse(null), null, clusterIdsFrom(run), exits));
        }
        if (info.isEmpty()) {
            Optional<ProcessHandle> starting = shimProcess(dir);
            if (starting.isEmpty()) {
                return new Adoption.NotLaunched();
            }
            LOG.info("{}: its shim (pid {}) is still starting; waiting for it", attemptId, starting.get().pid());
            long deadline = System.nanoTime() + SHIM_START.toNanos();
            // the process the worker started and the supervisor it forks have the same argv: wait while either runs
            while (info.isEmpty() && starting.isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                info = attempts.shim(attemptId);
                starting = starting.filter(ProcessHandle::isAlive).or(() -> shimProcess(dir));
            }
            if (info.isEmpty() && attempts.ended(attemptId)) {
                return new Adoption.Running(new ShimApp(run, attempts, null, null, clusterIdsFrom(run), exits));
            }
            if (info.isEmpty()) {
                starting.ifPresent(ProcessHandle::destroyForcibly);
                return new Adoption.Vanished("its attempt shim never started spark-submit");
            }
        }
        ShimApp app = new ShimApp(run, attempts, info.get(), null, clusterIdsFrom(run), exits);
        if (info.get().liveShim().isPresent()) {
            running.put(attemptId, app);
            LOG.info("adopted {}: its shim (pid {}) still runs", attemptId, info.get().shimPid());
            return new Adoption.Running(app);
        }
        if (attempts.ended(attemptId)) {
            return new Adoption.Running(app);
        }
        AppExit lost = app.awaitExit();
        return new Adoption.Vanished(lost.message());
    }

    /** A shim process of this attempt directory that has not written shim.json yet, found by its command line. */
    private static Optional<ProcessHandle> shimProcess(Path dir) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().isPresent() && p.info().arguments().isPresent())
                .filter(p -> AttemptShim.isShimOf(p.info().command().get(), List.of(p.info().arguments().get()), dir))
                .findFirst();
    }

    /** Writes Kindling's sitecustomize.py (see {@link SparkSubmitCommand.PythonStderr}) into {@code dir}. */
    private static void installPythonHook(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("sitecustomize.py"), PythonHook.BYTES);
    }

    /** The hook's bytes, read from the worker's jar once (not at every launch: a zip lookup each time). */
    private static final class PythonHook {
        static final byte[] BYTES = read();

        private static byte[] read() {
            try (var in = SparkSubmitLauncher.class.getResourceAsStream(PYTHON_HOOK_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + PYTHON_HOOK_RESOURCE);
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Override
    public boolean cancel(String attemptId) throws InterruptedException {
        ShimApp app = running.get(attemptId);
        if (app == null || app.ended()) {
            running.remove(attemptId);
            return false;
        }
        AttemptLog.enter(app.run().jobId(), app.run().attempt());
        try {
            LOG.info("stopping {} (shim pid {})", attemptId, app.shimPid());
            if (ClusterSubmission.needsClusterKill(configFor(app.run()))) {
                clusterKills.killOnCluster(app, spool.attemptDir(app.run().attemptId()));
            }
            app.terminate(killGrace);
        } finally {
            running.remove(attemptId, app);
            reservedPorts.remove(attemptId);
            AttemptLog.leave();
        }
        return true;
    }

    /**
     * What the shim runs: spark-submit, or in standalone cluster mode a {@link StandaloneClusterDriver}
     * that runs it, follows the driver on the master and copies its logs into {@code dir}'s spool files.
     */
    private java.util.List<String> childArgv(SparkSubmitConfig config, SparkSubmitCommand.Command cmd, Path dir) {
        if (!config.standaloneCluster()) {
            return cmd.argv();
        }
        java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of(
                ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        argv.addAll(StandaloneClusterDriver.arguments(config, dir));
        argv.addAll(cmd.argv());
        return argv;
    }

    /** Three driver ports no attempt of this launcher holds, reserved for {@code attemptId}. */
    private synchronized Optional<DriverPorts> reservePorts(String attemptId) {
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        reservedPorts.values().forEach(p -> taken.addAll(p.all()));
        Optional<DriverPorts> free = DriverPorts.allocate(config.driverPorts(), DriverPorts.hostOrDefault(config.driverHost()),
                taken);
        free.ifPresent(p -> reservedPorts.put(attemptId, p));
        return free;
    }

    /** Where spark-submit's stderr names the application on the cluster (cluster submissions and YARN). */
    private SparkSubmitConfig.ClusterManager clusterIdsFrom(RunAssignment run) {
        SparkSubmitConfig config = configFor(run);
        return ClusterSubmission.needsClusterKill(config) ? config.clusterManager() : null;
    }

    /** The pool's configuration, in client mode for a session's server ({@link SparkConnectServer}). */
    private SparkSubmitConfig configFor(RunAssignment run) {
        return SparkConnectServer.isSession(run) ? config.inClientMode() : config;
    }

    /** Takes no more launches. The shims keep running their drivers; a restarted worker adopts them. */
    @Override
    public void close() {
        closed = true;
        running.clear();
        exits.close();
    }
}
