package io.kindling.worker;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobSpec;
import io.kindling.worker.report.ReportPublisher;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the attempts a worker holds, on two threads of its own:
 * <ul>
 *   <li>every {@code heartbeat}, publishes a HEARTBEAT report for each (without waiting: an
 *       acknowledgement renews that attempt's lease as of the moment it was sent);
 *   <li>every {@value #CHECK_MILLIS} ms, writes renewed leases into the spool (the attempt shim
 *       watches them; not for an attempt whose driver has ended), stops an attempt whose lease is
 *       older than {@code fenceAfter} (reason LOST: the dispatcher is about to declare it lost and
 *       may run another attempt, and two attempts of a job must never run at once), and stops an
 *       attempt that has run past its {@code timeoutSeconds} (reason TIMED_OUT).
 * </ul>
 */
final class AttemptGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptGuard.class);
    static final long CHECK_MILLIS = 200;

    private final String workerId;
    private final Supplier<Collection<HeldAttempt>> held;
    private final ReportPublisher reports;
    private final AttemptSpool spool;
    private final Clock clock;
    private final Duration heartbeat;
    private final Duration fenceAfter;
    private final BiConsumer<HeldAttempt, StopRequest> stopper;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("attempt-heartbeats").unstarted(r));
    private final ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("attempt-guard").unstarted(r));

    AttemptGuard(String workerId, Supplier<Collection<HeldAttempt>> held, ReportPublisher reports, AttemptSpool spool,
            Clock clock, Duration heartbeat, Duration fenceAfter, BiConsumer<HeldAttempt, StopRequest> stopper) {
        this.workerId = workerId;
        this.held = held;
        this.reports = reports;
        this.spool = spool;
        this.clock = clock;
        this.heartbeat = heartbeat;
        this.fenceAfter = fenceAfter;
        this.stopper = stopper;
    }

    AttemptGuard start() {
        heartbeats.scheduleAtFixedRate(safely(this::heartbeat), heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
        checks.scheduleWithFixedDelay(safely(this::check), CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Publishes one HEARTBEAT for every attempt held now. */
    void heartbeat() {
        for (HeldAttempt attempt : held.get()) {
            beat(attempt);
        }
    }

    /** Publishes one HEARTBEAT for {@code attempt} (also right after an adoption). */
    void beat(HeldAttempt attempt) {
        Instant sent = clock.instant();
        reports.publish(Reports.heartbeat(attempt, workerId, sent)).whenComplete((ok, error) -> {
            if (error == null) {
                attempt.acked(sent);
            } else {
                LOG.debug("heartbeat of {} failed: {}", attempt.attemptId(), error.toString());
            }
        });
    }

    /** Renews lease files, fences attempts whose lease ran out, stops attempts past their timeout. */
    void check() {
        Instant now = clock.instant();
        for (HeldAttempt attempt : held.get()) {
            AttemptLog.enter(attempt.run().jobId(), attempt.run().attempt());
            try {
                renewLease(attempt);
                if (attempt.stop() != null) {
                    continue;
                }
                Duration silent = Duration.between(attempt.lastAck(), now);
                if (silent.compareTo(fenceAfter) > 0) {
                    LOG.warn("no report about {} acknowledged for {} s; stopping it before its lease runs out",
                            attempt.attemptId(), silent.toSeconds());
                    stopper.accept(attempt, new StopRequest(FailureReason.LOST, "the worker could not report to Kafka"
                            + " for " + silent.toSeconds() + " s, so it stopped the attempt before its lease ran out"));
                    continue;
                }
                JobSpec spec = attempt.run().spec();
                Integer limit = spec == null ? null : spec.timeoutSeconds();
                if (limit != null && limit > 0 && !now.isBefore(attempt.startedAt().plusSeconds(limit))) {
                    LOG.info("{} has run longer than its timeoutSeconds ({} s); stopping it", attempt.attemptId(),
                            limit);
                    stopper.accept(attempt, new StopRequest(FailureReason.TIMED_OUT,
                            "the attempt ran longer than its timeoutSeconds limit of " + limit + " s"));
                }
            } finally {
                AttemptLog.leave();
            }
        }
    }

    /**
     * Writes the attempt's lease file when a report newer than the one written was acknowledged and
     * its driver still runs (a lease file is a new inode in the spool, which every attempt that ends
     * within a round would otherwise get for nothing).
     */
    private void renewLease(HeldAttempt attempt) {
        Instant acked = attempt.lastAck();
        if (acked.isAfter(attempt.leaseWritten()) && !attempt.driverEnded()) {
            try {
                spool.renewLease(attempt.attemptId(), acked);
                attempt.leaseWritten(acked);
            } catch (IOException e) {
                LOG.debug("cannot renew the lease file of {}: {}", attempt.attemptId(), e.toString());
            }
        }
    }

    private Runnable safely(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("attempt guard task failed", e);
            }
        };
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
        checks.shutdownNow();
        try {
            heartbeats.awaitTermination(5, TimeUnit.SECONDS);
            checks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
