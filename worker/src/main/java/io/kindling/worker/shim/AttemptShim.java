package io.kindling.worker.shim;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.Json;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The supervisor of one attempt (like containerd's shim): a small JVM of its own that the worker
 * starts as {@code java -cp <worker classpath> io.kindling.worker.shim.AttemptShim <attemptDir>
 * --grace-millis G --lease-millis L -- <spark-submit argv...>}, so that the attempt outlives the
 * worker (a crash, a restart) and a restarted worker adopts it instead of launching it again.
 *
 * <p>It reads the driver's environment as a JSON object from stdin (so that it never appears on a
 * command line or in a file), starts spark-submit in {@code <attemptDir>/work} with stdout and
 * stderr appended to the spool files, writes {@code shim.json}, waits, and writes
 * {@code exit.json} last (just after the worker's copy, {@link ExitRecord}). On SIGTERM it stops
 * spark-submit's whole process tree (TERM, then KILL after the grace) and still writes
 * {@code exit.json}. When {@code --lease-millis} is positive it
 * fences itself: if the worker has not renewed {@code <attemptDir>/lease} (its modification time)
 * for that long, the worker is gone or cut off from Kafka and the dispatcher will declare the
 * attempt LOST, so the shim stops the driver and records the exit with reason LOST.
 */
public final class AttemptShim {
    public static final String SHIM_FILE = "shim.json";
    public static final String SHIM_LOG = "shim.log";
    public static final String LEASE_FILE = "lease";
    public static final String WORK_DIR = "work";
    private static final Duration WATCH = Duration.ofMillis(250);

    private final Path dir;
    private final Duration grace;
    private final Duration lease;
    private final List<String> argv;
    private final Instant shimStart = Instant.now();
    private final PrintStream log = System.err;
    private volatile Process child;
    private final SpoolAttempt attempt;
    private boolean exitWritten;
    private volatile boolean terminated;
    private volatile boolean fenced;

    AttemptShim(Path dir, Duration grace, Duration lease, List<String> argv) {
        this.dir = dir;
        this.grace = grace;
        this.lease = lease;
        this.argv = argv;
        this.attempt = AtomicFiles.readJson(dir.resolve(SpoolLayout.ATTEMPT_FILE), SpoolAttempt.class).orElse(null);
    }

    public static void main(String[] args) throws Exception {
        int separator = List.of(args).indexOf("--");
        if (args.length < 1 || separator < 1 || separator == args.length - 1) {
            System.err.println("usage: AttemptShim <attemptDir> [--grace-millis N] [--lease-millis N] -- <argv...>");
            System.exit(2);
        }
        Duration grace = Duration.ofSeconds(5);
        Duration lease = Duration.ZERO;
        for (int i = 1; i < separator; i += 2) {
            Duration value = Duration.ofMillis(Long.parseLong(args[i + 1]));
            switch (args[i]) {
                case "--grace-millis" -> grace = value;
                case "--lease-millis" -> lease = value;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> argv = List.of(args).subList(separator + 1, args.length);
        @SuppressWarnings("unchecked")
        Map<String, String> env = Json.mapper().readValue(System.in.readAllBytes(), Map.class);
        System.exit(new AttemptShim(Path.of(args[0]), grace, lease, argv).run(env));
    }

    int run(Map<String, String> env) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv)
                .directory(dir.resolve(WORK_DIR).toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stderr").toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopOnSignal, "shim-stop"));
        synchronized (this) {
            try {
                child = builder.start();
            } catch (IOException | RuntimeException e) {
                writeExit(new ShimExit(null, Instant.now(), FailureReason.SUBMISSION_FAILED,
                        "cannot start " + argv.get(0) + ": " + e.getMessage(), null, false));
                return 1;
            }
            try {
                ProcessHandle me = ProcessHandle.current();
                AtomicFiles.writeJson(dir.resolve(SHIM_FILE), new ShimInfo(me.pid(), ShimInfo.startOf(me),
                        child.pid(), ShimInfo.startOf(child.toHandle()), shimStart));
            } catch (IOException e) {
                log.println("kindling-shim: cannot write " + SHIM_FILE + ": " + e);
            }
        }
        log.println("kindling-shim: started pid " + child.pid() + " for " + dir.getFileName());
        if (lease.isPositive()) {
            Thread.ofPlatform().daemon().name("shim-lease").start(this::watchLease);
        }
        child.waitFor();
        finish();
        return 0;
    }

    /** SIGTERM (or SIGINT): stop the driver's process tree, then record its exit. */
    private void stopOnSignal() {
        Process child = this.child;
        if (child == null) {
            return;
        }
        try {
            synchronized (this) {
                terminated = true;
                ProcessTree.terminate(child.toHandle(), grace);
                finish();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watchLease() {
        try {
            while (child.isAlive()) {
                Instant renewed = leaseRenewed();
                if (Duration.between(renewed, Instant.now()).compareTo(lease) > 0) {
                    log.println("kindling-shim: the worker has not renewed the lease since " + renewed
                            + "; stopping the driver (the attempt is LOST)");
                    synchronized (this) {
                        fenced = true;
                        ProcessTree.terminate(child.toHandle(), grace);
                        finish();
                    }
                    return;
                }
                Thread.sleep(WATCH.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Instant leaseRenewed() {
        try {
            Instant renewed = Files.getLastModifiedTime(dir.resolve(LEASE_FILE)).toInstant();
            return renewed.isAfter(shimStart) ? renewed : shimStart;
        } catch (NoSuchFileException e) {
            return shimStart;
        } catch (IOException e) {
            return Instant.now();
        }
    }

    /**
     * Writes exit.json once, whoever gets here first. A stop (signal or lease) holds the lock
     * from its first signal until every process of the tree has ended, so the main thread, woken
     * when spark-submit itself ends, cannot write exit.json while the driver's children still run.
     */
    private synchronized void finish() throws InterruptedException {
        if (exitWritten) {
            return;
        }
        if (!child.waitFor(grace.toMillis() + 5_000, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            child.toHandle().destroyForcibly();
            child.waitFor();
        }
        int code = child.exitValue();
        String appId = EventLogs.appId(dir.resolve(SpoolLayout.EVENT_LOG_DIR)).orElse(null);
        FailureReason reason = fenced ? FailureReason.LOST : null;
        String message = null;
        if (fenced) {
            message = "the worker stopped renewing the attempt's lease for more than " + lease.toSeconds()
                    + " s; its driver was stopped";
        } else if (code != 0) {
            String tail = FailureMessage.of(dir.resolve("stderr"), dir.resolve("stdout"));
            message = tail != null ? tail : "spark-submit exited with code " + code;
        }
        writeExit(new ShimExit(code, Instant.now(), reason, message, appId, terminated || fenced));
        log.println("kindling-shim: pid " + child.pid() + " exited with code " + code);
    }

    private synchronized void writeExit(ShimExit exit) {
        try {
            Path record = ExitRecord.file(dir.getParent(), dir.getFileName().toString());
            Files.createDirectories(record.getParent());
            AtomicFiles.writeJson(record, new ExitRecord(attempt, exit));
        } catch (IOException e) {
            log.println("kindling-shim: cannot write the worker's exit record: " + e);
        }
        try {
            AtomicFiles.writeJson(dir.resolve(SpoolLayout.EXIT_FILE), exit);
            exitWritten = true;
        } catch (IOException e) {
            log.println("kindling-shim: cannot write exit.json: " + e);
        }
    }

    /** The argv that runs a shim for {@code attemptDir} with this JVM's java binary and classpath. */
    public static List<String> command(Path attemptDir, Duration grace, Duration lease, List<String> childArgv) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), AttemptShim.class.getName(), attemptDir.toString(),
                "--grace-millis", Long.toString(grace.toMillis()), "--lease-millis", Long.toString(lease.toMillis()),
                "--"));
        cmd.addAll(childArgv);
        return cmd;
    }
}
