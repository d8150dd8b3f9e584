package io.kindling.worker;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolExit;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.intake.Attempts;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.LaunchedApp;
import io.kindling.worker.launcher.Launcher;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt from start to end on the calling thread:
 * <ol>
 *   <li>write {@code attempt.json}, publish SUBMITTING, launch; report {@code started()} (the record may be committed);
 *   <li>publish RUNNING with the Spark app id once it is known;
 *   <li>when the driver has ended, write {@code exit.json}, then publish SUCCEEDED, FAILED or CANCELLED.
 * </ol>
 * {@code exit.json} comes before the terminal event: once a consumer sees the terminal event, the
 * spool is complete, and a worker that dies in between leaves the outcome on disk. Events are
 * retried until acknowledged (their ids are deterministic, so a duplicate is harmless).
 *
 * <p>When the worker is stopping, the attempt is left as it is: no terminal event and no
 * {@code exit.json} (see {@link Worker#close()}).
 */
final class AttemptRunner {
    private static final Logger LOG = LoggerFactory.getLogger(AttemptRunner.class);
    private static final long FIRST_RETRY_MILLIS = 200;
    private static final long MAX_RETRY_MILLIS = 10_000;

    private final String workerId;
    private final AttemptSpool spool;
    private final Launcher launcher;
    private final EventPublisher events;
    private final Clock clock;
    private final BooleanSupplier stopping;

    AttemptRunner(String workerId, AttemptSpool spool, Launcher launcher, EventPublisher events, Clock clock,
            BooleanSupplier stopping) {
        this.workerId = workerId;
        this.spool = spool;
        this.launcher = launcher;
        this.events = events;
        this.clock = clock;
        this.stopping = stopping;
    }

    void run(RunAssignment run, Attempts.Progress progress) {
        boolean[] started = {false};
        Runnable markStarted = () -> {
            started[0] = true;
            progress.started();
        };
        AttemptLog.enter(run.jobId(), run.attempt());
        try {
            attempt(run, markStarted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted; {} is left as it is", run.attemptId());
        } catch (RuntimeException e) {
            LOG.error("the worker failed running {}; it is left as it is", run.attemptId(), e);
            if (!started[0]) {
                markStarted.run();
            }
        } finally {
            progress.finished();
            AttemptLog.leave();
        }
    }

    private void attempt(RunAssignment run, Runnable started) throws InterruptedException {
        String spoolProblem = null;
        try {
            spool.writeAttempt(new SpoolAttempt(run.jobId(), run.attempt(), run.attemptId(), run.tenant(), run.pool(),
                    workerId, clock.instant()));
        } catch (IOException e) {
            spoolProblem = "cannot write the spool directory of " + run.attemptId() + ": " + e;
        }
        if (!publish(event(run, JobState.SUBMITTING).build()) || stopping.getAsBoolean()) {
            LOG.info("the worker is stopping before {} was launched; its assignment will be delivered again",
                    run.attemptId());
            return;
        }
        Launch launch = spoolProblem != null ? new Launch.Refused(spoolProblem) : launcher.launch(run);
        if (launch instanceof Launch.Refused && stopping.getAsBoolean()) {
            LOG.info("the worker stopped while launching {}; its assignment will be delivered again", run.attemptId());
            return;
        }
        started.run();
        switch (launch) {
            case Launch.Refused refused -> {
                LOG.warn("submission of {} failed: {}", run.attemptId(), refused.message());
                finish(run, null, event(run, JobState.FAILED).reason(FailureReason.SUBMISSION_FAILED)
                        .message(refused.message()));
            }
            case Launch.Started s -> watch(run, s.app());
        }
    }

    private void watch(RunAssignment run, LaunchedApp app) throws InterruptedException {
        Optional<String> appId = app.awaitAppId();
        if (appId.isPresent() && !stopping.getAsBoolean()) {
            LOG.info("{} is running as Spark application {}", run.attemptId(), appId.get());
            publish(event(run, JobState.RUNNING).sparkAppId(appId.get()).build());
        }
        AppExit exit = app.awaitExit();
        if (stopping.getAsBoolean()) {
            LOG.warn("{} ended with code {} while the worker stops; no exit.json and no terminal event are written",
                    run.attemptId(), exit.exitCode());
            return;
        }
        JobEvents.Builder terminal;
        if (exit.cancelled()) {
            terminal = event(run, JobState.CANCELLED).reason(FailureReason.CANCELLED).message("cancelled");
        } else if (exit.exitCode() == 0) {
            terminal = event(run, JobState.SUCCEEDED);
        } else {
            terminal = event(run, JobState.FAILED).reason(FailureReason.APP_FAILED).message(exit.message());
        }
        LOG.info("{} ended with code {}", run.attemptId(), exit.exitCode());
        finish(run, exit.exitCode(), terminal.exitCode(exit.exitCode()).sparkAppId(appId.orElse(null)));
    }

    private void finish(RunAssignment run, Integer exitCode, JobEvents.Builder terminal) throws InterruptedException {
        try {
            spool.writeExit(run.attemptId(), new SpoolExit(exitCode, clock.instant()));
        } catch (IOException e) {
            LOG.error("cannot write exit.json of {}; the log-shipper will wait for it", run.attemptId(), e);
        }
        publish(terminal.build());
    }

    private JobEvents.Builder event(RunAssignment run, JobState state) {
        return JobEvents.attempt(run, state, clock.instant()).workerId(workerId);
    }

    /** Publishes until acknowledged; false if the worker began stopping first. */
    private boolean publish(JobEvent event) throws InterruptedException {
        long backoff = FIRST_RETRY_MILLIS;
        while (true) {
            try {
                events.publish(event);
                LOG.debug("published {}", event.eventId());
                return true;
            } catch (RuntimeException e) {
                if (stopping.getAsBoolean()) {
                    LOG.warn("could not publish {} before the worker stopped: {}", event.eventId(), e.toString());
                    return false;
                }
                LOG.warn("publishing {} failed ({}); retrying in {} ms", event.eventId(), e.toString(), backoff);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_RETRY_MILLIS);
            }
        }
    }
}
