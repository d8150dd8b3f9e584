package io.kindling.shipper;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.management.Health;
import io.kindling.common.management.LoopLiveness;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships every attempt in the spool into the blob store. One thread runs a round every poll
 * interval: it finds the attempt directories that hold an {@code attempt.json} and lets each one's
 * {@link AttemptShipper} copy what is new. Progress lives only in the store (each blob's committed
 * length), so a shipper killed at any moment and started again resumes at the exact byte.
 *
 * <p>A round ships up to {@link ShipperConfig#threads()} attempts at once on the {@code log-shipper-N}
 * threads (each attempt's own round stays sequential, so its bytes still go in order) and awaits
 * them all: the store's fsyncs or requests, not the CPU, bound how fast attempts are shipped. It
 * ships the attempts whose driver is running first, and at most {@value #ENDED_PER_THREAD_PER_PASS} others per thread
 * per pass, passes following each other without the poll interval while some are left; so a
 * backlog of ended attempts never holds up a running one's new lines by more than a pass.
 *
 * <p>The caller owns the store; {@link #close()} stops the threads after the round in progress.
 */
public final class LogShipper implements AutoCloseable {
    /** At most this many bytes of one file per round, so a big backlog does not hold up the other attempts. */
    static final long MAX_BYTES_PER_COPY = 64L * 1024 * 1024;
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** Ended attempts shipped per pass and thread, so a pass (and the wait of a running attempt's next lines) stays short. */
    static final int ENDED_PER_THREAD_PER_PASS = 16;
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
    private final ExecutorService shippers;
    private final int maxEndedPerPass;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile ScheduledFuture<?> schedule;
    private volatile LoopLiveness loop = LoopLiveness.unwatched("log-shipper");
    /** Attempts in the spool, by attempt id; touched only by the round's thread. */
    private final Map<String, AttemptShipper> attempts = new HashMap<>();
    /** The last ended attempt shipped by the last pass: the next pass goes on after it. */
    private String endedCursor = "";

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
        this.dirs = new SpoolDirs(config.spool(), config.keptDirs());
        this.logs = new PartedAppendLog(store, maxBlocksPerPart);
        this.copier = new BlobCopier(store, logs, MAX_BYTES_PER_COPY, metrics);
        this.usage = new SpoolUsage(config.spool().root(), config.spoolWarnBytes(), metrics);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, "log-shipper"));
        AtomicInteger threads = new AtomicInteger();
        this.shippers = Executors.newFixedThreadPool(config.threads(),
                task -> new Thread(task, "log-shipper-" + threads.incrementAndGet()));
        this.maxEndedPerPass = ENDED_PER_THREAD_PER_PASS * config.threads();
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
        try {
            usage.measureIfDue(clock.millis());
            boolean more;
            do {
                loop.beat(); // once per pass: a backlog's passes follow each other without the poll interval
                more = pass();
            } while (more && !scheduler.isShutdown());
            metrics.roundDone(clock.millis());
        } catch (IOException e) {
            LOG.warn("cannot scan the spool {}: {}", config.spool().root(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // close() gave up waiting
        } catch (RuntimeException e) {
            // never let the exception end the schedule: the next round tries again
            LOG.error("shipping round failed", e);
        }
    }

    /** Ships the due attempts, side by side, and awaits them; true if ended attempts were left for another pass. */
    private boolean pass() throws IOException, InterruptedException {
        List<String> ids = dirs.attemptIds();
        attempts.keySet().retainAll(new HashSet<>(ids));
        List<AttemptShipper> due = new ArrayList<>();
        boolean more = pickDue(ids, due);
        for (Future<?> shipped : shippers.invokeAll(due.stream().map(a -> Executors.callable(a::round)).toList())) {
            try {
                shipped.get();
            } catch (ExecutionException e) {
                LOG.error("shipping an attempt failed", e.getCause());
            }
        }
        long lag = 0;
        long maxLag = 0;
        for (String id : ids) {
            AttemptShipper attempt = attempts.get(id);
            lag += attempt.lagBytes();
            maxLag = Math.max(maxLag, attempt.lagBytes());
            if (attempt.finished() && !config.keepSpool()) {
                attempts.remove(id);
            }
        }
        metrics.lag(lag, maxLag, ids.size());
        return more;
    }

    /**
     * Adds to due every running attempt that is due, then up to {@link #maxEndedPerPass} others,
     * going on from where the last pass stopped; true if more others were due.
     */
    private boolean pickDue(List<String> ids, List<AttemptShipper> due) {
        List<AttemptShipper> others = new ArrayList<>();
        int start = Math.abs(Collections.binarySearch(ids, endedCursor) + 1);
        boolean more = false;
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get((start + i) % ids.size());
            AttemptShipper attempt = attempts.computeIfAbsent(id, this::newAttempt);
            if (!attempt.due()) {
                continue;
            }
            if (attempt.live()) {
                due.add(attempt);
            } else if (others.size() < maxEndedPerPass) {
                others.add(attempt);
                endedCursor = id;
            } else {
                more = true;
            }
        }
        due.addAll(others);
        return more;
    }

    private AttemptShipper newAttempt(String attemptId) {
        return new AttemptShipper(attemptId, config.spool(), dirs, store, copier, clock, config, metrics);
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

    /** Stops the shipping threads, letting the round in progress finish. */
    @Override
    public void close() {
        loop.stopped();
        scheduler.shutdown();
        try {
            awaitOrInterrupt(scheduler);
        } finally {
            shippers.shutdown();
            awaitOrInterrupt(shippers);
        }
    }

    private static void awaitOrInterrupt(ExecutorService threads) {
        try {
            if (!threads.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("the shipping round did not finish within {} s; interrupting it", CLOSE_TIMEOUT.toSeconds());
                threads.shutdownNow();
                threads.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
