package io.kindling.dispatcher.lifecycle;

import io.kindling.common.deadletter.DeadLetters;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a worker's report about the job's current attempt into at most one transition. Reports
 * renew the attempt's lease. Reports about any other attempt (stale, or of a job that ended)
 * change nothing; if they say the attempt still runs, its worker is told to cancel it, so two
 * attempts of a job never run at once.
 */
final class ReportHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ReportHandler.class);

    private static final int MAX_LINK_CHARS = 2048;

    private final Transitions transitions;

    ReportHandler(Transitions transitions) {
        this.transitions = transitions;
    }

    void handle(Job job, AttemptReport r, Origin origin, Instant now, Outputs out) {
        boolean stillRuns = !r.state().terminal();
        boolean current = job.active() && r.attempt() == job.attempt;
        if (r.attempt() > job.attempt) {
            out.deadLetter(origin, job.id, "NOT_FOUND", "report about attempt " + r.attempt() + " of job '" + job.id
                    + "', which has had " + job.attempt + " attempt(s)", List.of(), now);
            return;
        }
        if (!current) {
            if (stillRuns) {
                String why = job.terminal() ? "the job has ended " + job.state
                        : "attempt " + r.attempt() + " is not the job's current attempt (" + job.attempt + ", " + job.state + ")";
                Transitions.cancelAttempt(job, r.attempt(), FailureReason.CANCELLED, why, now, out);
            } else {
                LOG.debug("job {} attempt {}: ignoring stale report {}", job.id, r.attempt(), r.state());
            }
            return;
        }
        if (job.workerId != null && r.workerId() != null && !job.workerId.equals(r.workerId())) {
            intruder(job, r, origin, now, out);
            return;
        }
        if (job.leaseUntil != null) {
            job.leaseUntil = now.plus(transitions.rules(job).lease());
        }
        if (r.type() == AttemptReport.Type.HEARTBEAT && (r.state().terminal() || !advances(job.state, r.state()))) {
            return;
        }
        switch (r.state()) {
            case SUBMITTING, RUNNING -> start(job, r, now, out);
            case SUCCEEDED -> out.event(job, Transitions.attemptEvent(job, JobState.SUCCEEDED, now).workerId(r.workerId())
                    .exitCode(r.exitCode()).sparkAppId(bounded(r.sparkAppId())).sparkUiUrl(bounded(r.sparkUiUrl())).build());
            case FAILED -> failed(job, r, now, out);
            case CANCELLED -> cancelled(job, r, now, out);
            default -> LOG.warn("job {} attempt {}: report with state {} ignored", job.id, r.attempt(), r.state());
        }
    }

    /**
     * A report about the current attempt from a worker other than the one that holds it (the first
     * to report it): two workers got the same assignment (a rebalance during a launch). Rejected, and
     * if it says it still runs, that worker alone is told to stop its copy.
     */
    private static void intruder(Job job, AttemptReport r, Origin origin, Instant now, Outputs out) {
        String message = "attempt " + r.attempt() + " of job '" + job.id + "' is held by worker " + job.workerId
                + "; report " + r.state() + " from worker " + r.workerId() + " rejected";
        LOG.warn("job {} attempt {}: {}", job.id, r.attempt(), message);
        out.deadLetter(origin, job.id, "FORBIDDEN", message, List.of(), now);
        if (!r.state().terminal()) {
            Transitions.cancelAttempt(job, r.attempt(), r.workerId(), FailureReason.CANCELLED,
                    "worker " + job.workerId + " holds this attempt", now, out);
        }
    }

    private void start(Job job, AttemptReport r, Instant now, Outputs out) {
        if (!advances(job.state, r.state())) {
            return; // a repeated report
        }
        out.event(job, Transitions.attemptEvent(job, r.state(), now).workerId(r.workerId())
                .sparkAppId(bounded(r.sparkAppId())).sparkUiUrl(bounded(r.sparkUiUrl())).build());
        job.leaseUntil = now.plus(transitions.rules(job).lease());
        if (job.cancelRequested) {
            Transitions.cancelAttempt(job, job.attempt, FailureReason.CANCELLED, "cancel requested", now, out);
        }
    }

    private void failed(Job job, AttemptReport r, Instant now, Outputs out) {
        if (job.cancelRequested) {
            endCancelled(job, r, now, out);
            return;
        }
        FailureReason reason = r.reason() != null ? r.reason() : FailureReason.APP_FAILED;
        transitions.fail(job, reason, message(r), r.exitCode(), now, out);
    }

    private void cancelled(Job job, AttemptReport r, Instant now, Outputs out) {
        boolean timedOut = r.reason() == FailureReason.TIMED_OUT || (job.timeoutCancelSent && !job.cancelRequested);
        if (timedOut) {
            String message = r.message() != null ? message(r)
                    : "the attempt exceeded timeoutSeconds (" + job.spec.timeoutSeconds() + ") and was stopped";
            transitions.fail(job, FailureReason.TIMED_OUT, message, r.exitCode(), now, out);
        } else {
            endCancelled(job, r, now, out);
        }
    }

    private static void endCancelled(Job job, AttemptReport r, Instant now, Outputs out) {
        out.event(job, Transitions.attemptEvent(job, JobState.CANCELLED, now).workerId(r.workerId())
                .reason(FailureReason.CANCELLED).message(r.message() != null ? message(r) : "cancelled")
                .exitCode(r.exitCode()).principal(job.cancelledBy).build());
    }

    /** An identifier or link copied into an event: dropped when absurdly long, so every event stays bounded. */
    private static String bounded(String value) {
        return value == null || value.length() > MAX_LINK_CHARS ? null : value;
    }

    private static String message(AttemptReport r) {
        return DeadLetters.truncate(r.message(), JobStateMachine.MAX_MESSAGE_CHARS);
    }

    /** Whether moving from {@code from} to the non-terminal {@code to} goes forward. */
    private static boolean advances(JobState from, JobState to) {
        return switch (to) {
            case SUBMITTING -> from == JobState.DISPATCHED;
            case RUNNING -> from == JobState.DISPATCHED || from == JobState.SUBMITTING;
            default -> to.terminal();
        };
    }
}
