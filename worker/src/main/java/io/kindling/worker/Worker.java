package io.kindling.worker;

import io.kindling.common.deadletter.DeadLetterPublisher;
import io.kindling.common.spool.SpoolAttempt;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.WorkerControl;
import io.kindling.worker.control.ControlLoop;
import io.kindling.worker.intake.Attempts;
import io.kindling.worker.intake.RunLoop;
import io.kindling.worker.launcher.Launcher;
import io.kindling.worker.report.ReportPublisher;
import io.kindling.worker.shim.ExitRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker of one pool: takes run assignments from {@code runs.<pool>} (a {@link RunLoop}),
 * runs up to {@code maxRunning} attempts at once, each watched on a thread of its own
 * ({@link AttemptRunner}), through a {@link Launcher}; reports them on the reports topic, with
 * heartbeats, lease fencing and timeouts ({@link AttemptGuard}); stops the ones a control
 * cancels ({@link ControlLoop}); and at start adopts the attempts its previous run left running.
 */
public final class Worker implements Attempts, AttemptRunner.Host, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    /** How many ended attempts and early cancels are remembered. */
    private static final int REMEMBERED = 100_000;
    /** How long the copy of a reported exit is kept (see {@link AttemptSpool#finished}). */
    static final java.time.Duration REPORTED_EXITS_KEPT = java.time.Duration.ofDays(1);

    private final WorkerConfig config;
    private final Launcher launcher;
    private final ReportPublisher reports;
    private final AttemptSpool spool;
    private final AttemptRunner runner;
    private final AttemptGuard guard;
    private final ExecutorService attemptThreads;
    private final ExecutorService stoppers;
    private final RunLoop runLoop;
    private final ControlLoop controlLoop;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Map<String, HeldAttempt> held = new ConcurrentHashMap<>();
    private final Map<String, WorkerControl> earlyCancels = Collections.synchronizedMap(bounded());
    private final Set<String> ended = Collections.newSetFromMap(Collections.synchronizedMap(bounded()));
    private final AtomicInteger launching = new AtomicInteger();
    private volatile boolean stopping;
    /**
     * Controls older than this many leases are moot: the worker reads only the newer ones at start
     * (ControlLoop), by the wall clock, as Kafka timestamps its records.
     */
    static final int CONTROL_LOOKBACK_LEASES = 4;

    /**
     * Takes ownership of both consumers, {@code reports} and {@code launcher}: {@link #close()}
     * closes them. {@code controls} is a consumer without a group. Run assignments and controls
     * that cannot be read or handled go to {@code deadLetters} (its caller closes it).
     */
    public Worker(WorkerConfig config, Consumer<String, byte[]> runs, Consumer<String, byte[]> controls,
            ReportPublisher reports, Launcher launcher, Clock clock, DeadLetterPublisher deadLetters) {
        this.config = config;
        this.launcher = launcher;
        this.reports = reports;
        this.spool = new AttemptSpool(config.spool());
        this.runner = new AttemptRunner(config.workerId(), spool, launcher, reports, clock, this);
        this.guard = new AttemptGuard(config.workerId(), this::heldAttempts, reports, spool, clock, config.heartbeat(),
                config.fenceAfter(), this::stop);
        // an attempt's virtual thread runs in the trace context current when it was handed over (the run's record's)
        this.attemptThreads = io.opentelemetry.context.Context.taskWrapping(
                Executors.newThreadPerTaskExecutor(virtualThreads("attempt-" + config.pool())));
        this.stoppers = Executors.newCachedThreadPool(threads("stop-" + config.pool()));
        this.runLoop = new RunLoop("runs-" + config.pool(), runs, config.kafka().topics().runs(config.pool()),
                config.pool(), config.maxRunning(), this, deadLetters);
        this.controlLoop = new ControlLoop(controls, config.kafka().topics().control(), config.pool(),
                config.lease().multipliedBy(CONTROL_LOOKBACK_LEASES), Clock.systemUTC(), this::onControl, deadLetters);
    }

    /** Adopts what the spool says is still this worker's, then starts reading controls and taking work. */
    public Worker start() {
        recoverSpool();
        controlLoop.start();
        guard.start();
        runLoop.start();
        LOG.info("worker {} takes runs of pool {} (at most {} at once)", config.workerId(), config.pool(),
                config.maxRunning());
        return this;
    }

    /** True once the consumer group has assigned this worker its partitions. */
    public boolean assigned() {
        return runLoop.assigned();
    }

    /** True while the worker takes work: false once stopped, or if a consumer failed (the log says why). */
    public boolean healthy() {
        return !stopping && runLoop.alive() && controlLoop.alive();
    }

    /** Ids of the attempts this worker holds now. */
    public Set<String> held() {
        return Set.copyOf(held.keySet());
    }

    /** Cancels an attempt held here (as a CANCEL control would); false if it is not held here. */
    public boolean cancel(String attemptId) {
        HeldAttempt attempt = held.get(attemptId);
        if (attempt == null) {
            return false;
        }
        stop(attempt, new StopRequest(FailureReason.CANCELLED, "cancelled"));
        return true;
    }

    // ---- Attempts (the RunLoop's thread) ----------------------------------------------------

    @Override
    public boolean ready() {
        return controlLoop.caughtUp() && !stopping;
    }

    @Override
    public int busy() {
        return busy.size();
    }

    @Override
    public boolean holds(String attemptId) {
        return busy.contains(attemptId) || ended.contains(attemptId);
    }

    @Override
    public boolean start(RunAssignment run, Progress progress) {
        return submit(run, progress, false);
    }

    private boolean submit(RunAssignment run, Progress progress, boolean recovering) {
        if (!busy.add(run.attemptId())) {
            return false;
        }
        launching.incrementAndGet();
        Progress tracked = new Progress() {
            private boolean started;

            @Override
            public synchronized void started() {
                if (!started) {
                    started = true;
                    launching.decrementAndGet();
                    progress.started();
                }
            }

            @Override
            public void finished() {
                synchronized (this) {
                    if (!started) {
                        started = true; // never started: its record is not committed and comes again
                        launching.decrementAndGet();
                    }
                }
                busy.remove(run.attemptId());
                progress.finished();
            }
        };
        try {
            attemptThreads.execute(() -> {
                if (recovering) {
                    runner.recover(run, tracked);
                } else {
                    runner.take(run, tracked);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            launching.decrementAndGet();
            busy.remove(run.attemptId());
            return false;
        }
    }

    // ---- AttemptRunner.Host -----------------------------------------------------------------

    @Override
    public boolean stopping() {
        return stopping;
    }

    @Override
    public HeldAttempt hold(RunAssignment run, Instant startedAt, Instant ackedAt) {
        HeldAttempt attempt = new HeldAttempt(run, startedAt, ackedAt);
        held.put(run.attemptId(), attempt);
        WorkerControl early = earlyCancels.get(run.attemptId());
        if (early != null) {
            stop(attempt, stopFor(early));
        }
        return attempt;
    }

    @Override
    public void release(HeldAttempt attempt) {
        ended.add(attempt.attemptId());
        held.remove(attempt.attemptId(), attempt);
        earlyCancels.remove(attempt.attemptId());
    }

    @Override
    public void forget(String attemptId) {
        held.remove(attemptId);
    }

    @Override
    public Optional<WorkerControl> cancelledBefore(String attemptId) {
        return Optional.ofNullable(earlyCancels.get(attemptId));
    }

    @Override
    public void heartbeatNow(HeldAttempt attempt) {
        guard.beat(attempt);
    }

    // ---- controls, stops --------------------------------------------------------------------

    void onControl(WorkerControl control) {
        if (control.workerId() != null && !control.workerId().equals(config.workerId())) {
            return; // aimed at another worker that runs a copy of an attempt this one may hold
        }
        if (ended.contains(control.attemptId())) {
            return;
        }
        earlyCancels.put(control.attemptId(), control);
        HeldAttempt attempt = held.get(control.attemptId());
        if (attempt != null) {
            AttemptLog.enter(control.jobId(), control.attempt());
            try {
                LOG.info("control: cancel {} ({})", control.attemptId(), control.reason());
                stop(attempt, stopFor(control));
            } finally {
                AttemptLog.leave();
            }
        }
    }

    static StopRequest stopFor(WorkerControl control) {
        FailureReason reason = control.reason() == FailureReason.TIMED_OUT ? FailureReason.TIMED_OUT
                : FailureReason.CANCELLED;
        String message = control.message() != null ? control.message()
                : reason == FailureReason.TIMED_OUT ? "timed out" : "cancelled";
        return new StopRequest(reason, message);
    }

    /** Stops a held attempt once, for the first reason given; its end is then reported with that reason. */
    void stop(HeldAttempt attempt, StopRequest request) {
        if (!attempt.requestStop(request)) {
            return;
        }
        try {
            spool.writeStop(attempt.attemptId(), request);
        } catch (IOException e) {
            LOG.warn("cannot write stop.json of {}: {}", attempt.attemptId(), e.toString());
        }
        if (!attempt.launched()) {
            return; // the runner cancels it right after launching it
        }
        try {
            stoppers.execute(() -> {
                AttemptLog.enter(attempt.run().jobId(), attempt.run().attempt());
                try {
                    launcher.cancel(attempt.attemptId());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    LOG.error("stopping {} failed", attempt.attemptId(), e);
                } finally {
                    AttemptLog.leave();
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("the worker is stopping; {} is not stopped", attempt.attemptId());
        }
    }

    private Collection<HeldAttempt> heldAttempts() {
        return List.copyOf(held.values());
    }

    /** Hands every attempt directory of this worker that has not had its end reported to a runner. */
    private void recoverSpool() {
        List<String> ids;
        try {
            ids = spool.attemptIds();
        } catch (IOException e) {
            LOG.error("cannot list the spool {}; nothing is adopted", spool.layout().root(), e);
            return;
        }
        for (String id : ids) {
            Optional<SpoolAttempt> attempt = spool.attempt(id);
            if (attempt.isPresent() && config.workerId().equals(attempt.get().workerId()) && !spool.reported(id)) {
                recover(attempt.get());
            }
        }
        spool.pruneReportedExits(REPORTED_EXITS_KEPT);
        for (ExitRecord orphan : spool.orphanExits()) {
            if (config.workerId().equals(orphan.attempt().workerId())) {
                recover(orphan.attempt());
            }
        }
    }

    private void recover(SpoolAttempt a) {
        RunAssignment run = spool.run(a).orElse(
                new RunAssignment(a.jobId(), a.attempt(), a.attemptId(), a.pool(), a.tenant(), null, null));
        submit(run, new Progress() {
            @Override
            public void started() {
            }

            @Override
            public void finished() {
            }
        }, true);
    }

    /**
     * Stops in order: take no new work; stop reading controls; let attempts that are being
     * launched finish launching (so their records are committed); stop heartbeats; stop watching
     * (the attempt threads are interrupted); commit what started; close the consumer, the
     * launcher and the producer.
     *
     * <p>The drivers keep running under their shims. A worker restarted with the same id adopts
     * them; if none comes back within the lease, each shim stops its driver and records the exit
     * with reason LOST (as the dispatcher will have declared it). Assignments taken but not yet
     * launched are not committed and come again.
     */
    @Override
    public void close() {
        stopping = true;
        runLoop.stopTakingWork();
        controlLoop.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (launching.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        guard.close();
        attemptThreads.shutdownNow();
        stoppers.shutdown();
        try {
            if (!attemptThreads.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("attempt threads still busy after 10 s");
            }
            stoppers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runLoop.close();
        launcher.close();
        reports.close();
        LOG.info("worker {} stopped; {} attempts left running for the next worker with this id", config.workerId(),
                held.size());
    }

    private static <K, V> Map<K, V> bounded() {
        return new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> new Thread(runnable, prefix + "-" + count.incrementAndGet());
    }

    /** Virtual threads: a running attempt's watcher parks between polls, holding no platform thread. */
    private static ThreadFactory virtualThreads(String prefix) {
        return Thread.ofVirtual().name(prefix + "-", 1).factory();
    }
}
