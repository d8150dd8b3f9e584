package io.kindling.worker;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.WorkerControl;
import io.kindling.worker.intake.Attempts;
import io.kindling.worker.launcher.Adoption;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.LaunchedApp;
import io.kindling.worker.launcher.Launcher;
import io.kindling.worker.report.ReportPublisher;
import io.kindling.worker.shim.ShimExit;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt from start to end on the calling thread, and reports it:
 * <ol>
 *   <li>write {@code attempt.json} (with the assignment); report SUBMITTING; once acknowledged,
 *       hold the attempt (heartbeats start) and launch; report {@code started()} (the record may be committed);
 *   <li>report RUNNING with the Spark app id once it is known;
 *   <li>when the driver has ended (its exit record, written by its shim, or none when it vanished),
 *       write {@code exit.json} and report
 *       SUCCEEDED, FAILED or CANCELLED (see {@link Outcome}).
 * </ol>
 * A run assignment for an attempt the spool already knows is never launched again: an ended one
 * has its end reported again, a running one is adopted. STATE reports are retried until
 * acknowledged. When the worker stops, the attempt is left as it is, to be adopted on restart.
 */
final class AttemptRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptRunner.class);
    private static final long FIRST_RETRY_MILLIS = 200;
    private static final long MAX_RETRY_MILLIS = 5_000;
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(40);

    /** What the runner needs from its worker. */
    interface Host {
        boolean stopping();

        /** Registers a held attempt (heartbeats, lease, cancel and timeout apply from now on). */
        HeldAttempt hold(RunAssignment run, Instant startedAt, Instant ackedAt);

        /** The attempt's end is about to be reported: no more heartbeats, controls for it are ignored. */
        void release(HeldAttempt held);

        /** Stops holding the attempt without an end (its watcher failed): the dispatcher's lease decides. */
        void forget(String attemptId);

        /** A cancel control seen for this attempt before it was held, if any. */
        Optional<WorkerControl> cancelledBefore(String attemptId);

        void heartbeatNow(HeldAttempt held);
    }

    private final String workerId;
    private final AttemptSpool spool;
    private final Launcher launcher;
    private final ReportPublisher reports;
    private final Clock clock;
    private final Host host;

    AttemptRunner(String workerId, AttemptSpool spool, Launcher launcher, ReportPublisher reports, Clock clock, Host host) {
        this.workerId = workerId;
        this.spool = spool;
        this.launcher = launcher;
        this.reports = reports;
        this.clock = clock;
        this.host = host;
    }

    /** A run assignment taken from the runs topic. */
    void take(RunAssignment run, Attempts.Progress progress) {
        run(run, progress, false);
    }

    /** An attempt found in the spool at start-up (this worker's, not ended or not reported). */
    void recover(RunAssignment run, Attempts.Progress progress) {
        run(run, progress, true);
    }

    private void run(RunAssignment run, Attempts.Progress progress, boolean recovering) {
        boolean[] started = {false};
        Runnable markStarted = () -> {
            if (!started[0]) {
                started[0] = true;
                progress.started();
            }
        };
        AttemptLog.enter(run.jobId(), run.attempt());
        try {
            if (recovering) {
                recover(run, markStarted);
            } else {
                take(run, markStarted);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.info("the worker is stopping; {} is left as it is", run.attemptId());
        } catch (RuntimeException e) {
            LOG.error("the worker failed running {}; it is no longer watched or heartbeated (its lease runs out)",
                    run.attemptId(), e);
            host.forget(run.attemptId());
            markStarted.run();
        } finally {
            progress.finished();
            AttemptLog.leave();
        }
    }

    private void take(RunAssignment run, Runnable started) throws InterruptedException {
        if (spool.finished(run.attemptId())) {
            LOG.info("{} already ended here; reporting its end again instead of launching it", run.attemptId());
            reportEnd(run);
            started.run();
            return;
        }
        Optional<WorkerControl> cancelled = host.cancelledBefore(run.attemptId());
        if (cancelled.isPresent()) {
            LOG.info("{} was cancelled before it was taken; it is not launched", run.attemptId());
            StopRequest stop = Worker.stopFor(cancelled.get());
            publish(Reports.end(run, workerId, Outcome.of(null, true, null, null, stop), clock.instant(), null));
            started.run();
            return;
        }
        if (spool.attempt(run.attemptId()).isPresent() && adopt(run, started)) {
            return;
        }
        launch(run, started);
    }

    private void recover(RunAssignment run, Runnable started) throws InterruptedException {
        if (spool.exit(run.attemptId()).isPresent()) {
            LOG.info("{} ended while no worker watched it; reporting its end", run.attemptId());
            reportEnd(run);
        } else if (!adopt(run, started)) {
            LOG.info("{} was never launched here; it runs when its assignment comes again", run.attemptId());
        }
    }

    /** True if the launcher had launched the attempt: it is then watched (or reported lost) here. */
    private boolean adopt(RunAssignment run, Runnable started) throws InterruptedException {
        Adoption adoption = launcher.adopt(run);
        switch (adoption) {
            case Adoption.NotLaunched n -> {
                return false;
            }
            case Adoption.Vanished v -> {
                LOG.warn("{} was launched here but is gone: {}", run.attemptId(), v.message());
                StopRequest stop = spool.stop(run.attemptId()).orElse(null);
                finish(run, null, new ShimExit(null, clock.instant(), FailureReason.LOST, v.message(), null, false),
                        stop);
                started.run();
                return true;
            }
            case Adoption.Running r -> {
                Instant startedAt = spool.attempt(run.attemptId()).map(SpoolAttempt::startedAt).orElse(clock.instant());
                HeldAttempt held = host.hold(run, startedAt, clock.instant());
                spool.stop(run.attemptId()).ifPresent(held::requestStop);
                held.launched(true);
                LOG.info("adopted {}: watching it instead of launching it again", run.attemptId());
                host.heartbeatNow(held);
                started.run();
                if (held.stop() != null) {
                    launcher.cancel(run.attemptId());
                }
                watch(held, r.app());
                return true;
            }
        }
    }

    private void launch(RunAssignment run, Runnable started) throws InterruptedException {
        Instant startedAt = clock.instant();
        String spoolProblem = null;
        try {
            spool.writeAttempt(SpoolAttempt.of(run, workerId, startedAt));
        } catch (IOException e) {
            spoolProblem = "cannot write the spool directory of " + run.attemptId() + ": " + e;
        }
        Instant sent = clock.instant();
        if (!publish(Reports.state(run, workerId, JobState.SUBMITTING, sent, null))) {
            LOG.info("the worker is stopping before {} was reported; its assignment will be delivered again",
                    run.attemptId());
            return;
        }
        // SUBMITTING is acknowledged: launch even if the worker is stopping (it waits for launches to
        // finish), so that the record is committed and never launched a second time elsewhere
        // the guard writes the lease file once a later report is acknowledged; the shim counts the lease from its own start till then
        HeldAttempt held = host.hold(run, startedAt, sent);
        Launch launch = spoolProblem != null ? new Launch.Refused(spoolProblem) : launcher.launch(run);
        started.run();
        switch (launch) {
            case Launch.Refused refused -> {
                LOG.warn("submission of {} failed: {}", run.attemptId(), refused.message());
                finish(run, held, new ShimExit(null, clock.instant(), refused.reason(),
                        refused.message(), null, false), null);
            }
            case Launch.Started s -> {
                held.launched(true);
                if (held.stop() != null) {
                    launcher.cancel(run.attemptId());
                }
                watch(held, s.app());
            }
        }
    }

    private void watch(HeldAttempt held, LaunchedApp app) throws InterruptedException {
        RunAssignment run = held.run();
        Optional<String> appId = app.awaitAppId();
        if (appId.isPresent() && held.state() == JobState.SUBMITTING) {
            LOG.debug("{} is running as Spark application {}", run.attemptId(), appId.get());
            held.running(appId.get());
            Instant sent = clock.instant();
            if (publish(Reports.state(run, workerId, JobState.RUNNING, sent, appId.get(), app.sparkUiUrl().orElse(null)))) {
                held.acked(sent);
            }
        }
        AppExit exit = app.awaitExit();
        held.driverEnded(true);
        if (host.stopping()) {
            LOG.info("{} ended with code {} while the worker stops; its end is reported on restart", run.attemptId(),
                    exit.exitCode());
            return;
        }
        LOG.debug("{} ended with code {}", run.attemptId(), exit.exitCode());
        finish(run, held, new ShimExit(exit.exitCode() < 0 ? null : exit.exitCode(), clock.instant(), exit.reason(),
                exit.message(), appId.orElse(held.sparkAppId()), exit.cancelled()), held.stop());
    }

    /** Writes exit.json (unless a previous run of the worker did), then reports the end. */
    private void finish(RunAssignment run, HeldAttempt held, ShimExit exit, StopRequest stop) throws InterruptedException {
        try {
            spool.writeExitIfAbsent(run.attemptId(), exit);
        } catch (IOException e) {
            LOG.error("cannot write exit.json of {}; the log-shipper will wait for it", run.attemptId(), e);
        }
        if (held != null) {
            host.release(held);
        }
        Outcome outcome = Outcome.of(exit.exitCode(), exit.terminated(), exit.reason(), exit.message(), stop);
        if (publish(Reports.end(run, workerId, outcome, clock.instant(), exit.sparkAppId()))) {
            spool.markReported(run.attemptId());
        }
    }

    /** Reports again the end recorded in the spool (its exit.json, or exit record, and stop.json). */
    private void reportEnd(RunAssignment run) throws InterruptedException {
        ShimExit exit = spool.exit(run.attemptId()).orElse(new ShimExit(null, clock.instant(), FailureReason.LOST,
                "its exit.json is unreadable", null, false));
        try {
            spool.writeExitIfAbsent(run.attemptId(), exit);
        } catch (IOException e) {
            LOG.error("cannot write exit.json of {}; the log-shipper will wait for it", run.attemptId(), e);
        }
        StopRequest stop = spool.stop(run.attemptId()).orElse(null);
        Outcome outcome = Outcome.of(exit.exitCode(), exit.terminated(), exit.reason(), exit.message(), stop);
        if (publish(Reports.end(run, workerId, outcome, clock.instant(), exit.sparkAppId()))) {
            spool.markReported(run.attemptId());
        }
    }

    /** Publishes until acknowledged; false if the worker began stopping first. */
    private boolean publish(AttemptReport report) throws InterruptedException {
        long backoff = FIRST_RETRY_MILLIS;
        while (true) {
            try {
                reports.publish(report).get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                LOG.debug("reported {} {}", report.attemptId(), report.state());
                return true;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (host.stopping()) {
                    LOG.warn("could not report {} {} before the worker stopped: {}", report.attemptId(), report.state(),
                            cause.toString());
                    return false;
                }
                LOG.warn("reporting {} {} failed ({}); retrying in {} ms", report.attemptId(), report.state(),
                        cause.toString(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_RETRY_MILLIS);
            }
        }
    }
}
