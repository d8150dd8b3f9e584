package io.kindling.shipper;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.management.Health;
import io.kindling.common.management.LoopLiveness;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships every attempt in the spool into the blob store. One thread runs a round every poll
 * interval: it finds the attempt directories that hold an {@code attempt.json} and lets each one's
 * {@link AttemptShipper} copy what is new. Progress lives only in the store (each blob's committed
 * length), so a shipper killed at any moment and started again resumes at the exact byte.
 *
 * <p>The caller owns the store; {@link #close()} stops the thread after the round in progress.
 */
public final class LogShipper implements AutoCloseable {
    /** At most this many bytes of one file per round, so a big backlog does not hold up the other attempts. */
    static final long MAX_BYTES_PER_COPY = 64L * 1024 * 1024;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(LogShipper.class);

    private final ShipperConfig config;
    private final BlobStore store;
    private final Clock clock;
    private final SpoolDirs dirs;
    private final PartedAppendLog logs;
    private final BlobCopier copier;
    private final ShipperMetrics metrics;
    private final SpoolUsage usage;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile ScheduledFuture<?> schedule;
    private volatile LoopLiveness loop = LoopLiveness.unwatched("log-shipper");
    /** Attempts in the spool, by attempt id; touched only by the shipping thread. */
    private final Map<String, AttemptShipper> attempts = new HashMap<>();

    public LogShipper(ShipperConfig config, BlobStore store, Clock clock) {
        this(config, store, clock, new ShipperMetrics());
    }

    public LogShipper(ShipperConfig config, BlobStore store, Clock clock, ShipperMetrics metrics) {
        this(config, store, clock, metrics, PartedAppendLog.DEFAULT_MAX_BLOCKS_PER_PART);
    }

    /** @param maxBlocksPerPart blocks after which a driver log rolls over to its next part (tests make it small) */
    public LogShipper(ShipperConfig config, BlobStore store, Clock clock, ShipperMetrics metrics,
            long maxBlocksPerPart) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.dirs = new SpoolDirs(config.spool());
        this.logs = new PartedAppendLog(store, maxBlocksPerPart);
        this.copier = new BlobCopier(store, logs, MAX_BYTES_PER_COPY, metrics);
        this.usage = new SpoolUsage(config.spool().root(), config.spoolWarnBytes(), metrics);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, "log-shipper"));
    }

    /** Starts the shipping thread; the first round runs at once. */
    public LogShipper start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the log shipper is already started");
        }
        schedule = scheduler.scheduleWithFixedDelay(this::round, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("log shipper watching {} every {} ms", config.spool().root(), config.pollInterval().toMillis());
        return this;
    }

    private void round() {
        loop.beat();
        try {
            dirs.deleteLeftovers();
            usage.measure();
            List<String> ids = dirs.attemptIds();
            attempts.keySet().retainAll(new HashSet<>(ids));
            long lag = 0;
            long maxLag = 0;
            for (String id : ids) {
                AttemptShipper attempt = attempts.computeIfAbsent(id, this::newAttempt);
                if (attempt.due()) {
                    attempt.round();
                }
                lag += attempt.lagBytes();
                maxLag = Math.max(maxLag, attempt.lagBytes());
                if (attempt.finished() && !config.keepSpool()) {
                    attempts.remove(id);
                }
            }
            metrics.lag(lag, maxLag, ids.size());
            metrics.roundDone(clock.millis());
        } catch (IOException e) {
            LOG.warn("cannot scan the spool {}: {}", config.spool().root(), e.toString());
        } catch (RuntimeException e) {
            // never let the exception end the schedule: the next round tries again
            LOG.error("shipping round failed", e);
        }
    }

    private AttemptShipper newAttempt(String attemptId) {
        return new AttemptShipper(attemptId, config.spool(), dirs, store, logs, copier, clock, config,
                metrics);
    }

    /** True once started and not closed, while its schedule goes on (a round that died of an error ends it). */
    public boolean running() {
        ScheduledFuture<?> s = schedule;
        return started.get() && !scheduler.isShutdown() && s != null && !s.isDone();
    }

    /**
     * Registers the shipping loop with {@code health} as {@code log-shipper}: live while its schedule
     * goes on; {@link LoopLiveness#kill()} makes the next round throw.
     */
    public LogShipper watchedBy(Health health) {
        loop = health.loop("log-shipper", this::running);
        return this;
    }

    /** Stops the shipping thread, letting the round in progress finish. */
    @Override
    public void close() {
        loop.stopped();
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("the shipping round did not finish within {} s; interrupting it", CLOSE_TIMEOUT.toSeconds());
                scheduler.shutdownNow();
                scheduler.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
