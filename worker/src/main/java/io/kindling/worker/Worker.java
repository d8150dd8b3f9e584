package io.kindling.worker;

import io.kindling.schemas.RunAssignment;
import io.kindling.worker.intake.Attempts;
import io.kindling.worker.intake.RunLoop;
import io.kindling.worker.launcher.Launcher;
import java.time.Clock;
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
 * A worker of one pool: takes run assignments from {@code runs.<pool>} (a {@link RunLoop} on its
 * own thread), runs up to {@code maxRunning} attempts at once, each on a thread of its own
 * ({@link AttemptRunner}), through a {@link Launcher}, and publishes their events.
 */
public final class Worker implements Attempts, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final WorkerConfig config;
    private final Launcher launcher;
    private final EventPublisher events;
    private final AttemptSpool spool;
    private final AttemptRunner runner;
    private final ExecutorService attemptThreads;
    private final RunLoop runLoop;
    private volatile boolean stopping;

    /** Takes ownership of {@code consumer}, {@code events} and {@code launcher}: {@link #close()} closes them. */
    public Worker(WorkerConfig config, Consumer<String, byte[]> consumer, EventPublisher events, Launcher launcher,
            Clock clock) {
        this.config = config;
        this.launcher = launcher;
        this.events = events;
        this.spool = new AttemptSpool(config.spool());
        this.runner = new AttemptRunner(config.workerId(), spool, launcher, events, clock, () -> stopping);
        this.attemptThreads = Executors.newFixedThreadPool(config.maxRunning(), threads("attempt-" + config.pool()));
        this.runLoop = new RunLoop("runs-" + config.pool(), consumer, config.kafka().topics().runs(config.pool()),
                config.maxRunning(), this);
    }

    public Worker start() {
        runLoop.start();
        LOG.info("worker {} takes runs of pool {} (at most {} at once)", config.workerId(), config.pool(),
                config.maxRunning());
        return this;
    }

    /** True once the consumer group has assigned this worker its partitions. */
    public boolean assigned() {
        return runLoop.assigned();
    }

    /** True while the worker takes work: false once stopped, or if its consumer failed (the log says why). */
    public boolean healthy() {
        return !stopping && runLoop.alive();
    }

    /** Cancels an attempt running here; false if it does not run here. */
    public boolean cancel(String attemptId) throws InterruptedException {
        return launcher.cancel(attemptId);
    }

    @Override
    public boolean start(RunAssignment run, Progress progress) {
        try {
            attemptThreads.execute(() -> runner.run(run, progress));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @Override
    public boolean finished(String attemptId) {
        return spool.finished(attemptId);
    }

    /**
     * Stops in order: take no new work; stop the drivers still running (SIGTERM, SIGKILL after the
     * grace period) and wait for their attempt threads; commit what started; close the consumer;
     * close the producer.
     *
     * <p>What this means for the attempts that were running: their drivers are killed, and the
     * worker writes neither {@code exit.json} nor a terminal event for them, so the events topic
     * still shows them SUBMITTING or RUNNING and the spool directory still looks live. Their
     * assignments were committed, so they are not delivered again. Adopting or reporting them
     * (a lease the dispatcher expires into LOST, or a restarted worker that finds their spool
     * directories) is a later issue. Assignments taken but not yet launched are not committed and
     * come again.
     */
    @Override
    public void close() {
        stopping = true;
        runLoop.stopTakingWork();
        launcher.close();
        attemptThreads.shutdown();
        try {
            if (!attemptThreads.awaitTermination(20, TimeUnit.SECONDS)) {
                LOG.warn("attempt threads still busy after 20 s; interrupting them");
                attemptThreads.shutdownNow();
                attemptThreads.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            attemptThreads.shutdownNow();
            Thread.currentThread().interrupt();
        }
        runLoop.close();
        events.close();
        LOG.info("worker {} stopped", config.workerId());
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> new Thread(runnable, prefix + "-" + count.incrementAndGet());
    }
}
