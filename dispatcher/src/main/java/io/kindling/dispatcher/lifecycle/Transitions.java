package io.kindling.dispatcher.lifecycle;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.schemas.RetryPolicy;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.WorkerControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The transitions shared by commands, reports and timers: dispatch, fail (or retry), cancel an attempt. */
final class Transitions {
    private static final Logger LOG = LoggerFactory.getLogger(Transitions.class);

    private final Function<String, PoolRules> rules;

    Transitions(Function<String, PoolRules> rules) {
        this.rules = rules;
    }

    PoolRules rules(Job job) {
        return rules.apply(job.pool());
    }

    /** An event about the job's current attempt. */
    static JobEvents.Builder attemptEvent(Job job, JobState state, Instant now) {
        return JobEvents.job(job.id, state, now).attempt(job.attempt).pool(job.pool()).tenant(job.tenant());
    }

    /** An event about the job as a whole (no attempt). */
    static JobEvents.Builder jobEvent(Job job, JobState state, Instant now) {
        return JobEvents.job(job.id, state, now).pool(job.pool()).tenant(job.tenant());
    }

    /** The next attempt: its run assignment on {@code runs.<pool>} and DISPATCHED. */
    void dispatch(Job job, Outputs out, Instant now) {
        RunAssignment run = RunAssignment.of(job.id, job.attempt + 1, job.spec, now);
        out.run(job, run);
        out.event(job, JobEvents.attempt(run, JobState.DISPATCHED, now).build());
        LOG.debug("job {} attempt {}: dispatched to pool {}", job.id, run.attempt(), run.pool());
    }

    /** The current attempt failed: RETRYING with the next attempt's time if the policy allows, else FAILED. */
    void fail(Job job, FailureReason reason, String message, Integer exitCode, Instant now, Outputs out) {
        RetryPolicy policy = RetryRules.effective(job.spec.retry(), rules(job).retry());
        int submission = job.submissionFailures + (reason == FailureReason.SUBMISSION_FAILED ? 1 : 0);
        int other = job.otherFailures + (reason == FailureReason.SUBMISSION_FAILED ? 0 : 1);
        Optional<Duration> backoff = RetryRules.retryAfter(policy, reason, submission, other, job.attempt);
        if (backoff.isPresent()) {
            Instant next = now.plus(backoff.get());
            LOG.info("job {} attempt {}: failed ({}), retrying at {}", job.id, job.attempt, reason, next);
            out.event(job, attemptEvent(job, JobState.RETRYING, now).reason(reason).message(message).exitCode(exitCode)
                    .workerId(job.workerId).nextAttemptAt(next).build());
        } else {
            LOG.info("job {} attempt {}: failed ({}), no retry left", job.id, job.attempt, reason);
            out.event(job, attemptEvent(job, JobState.FAILED, now).reason(reason).message(message).exitCode(exitCode)
                    .workerId(job.workerId).build());
        }
    }

    /** A CANCEL instruction for attempt {@code attempt} of the job. */
    static void cancelAttempt(Job job, int attempt, FailureReason reason, String message, Instant now, Outputs out) {
        cancelAttempt(job, attempt, null, reason, message, now, out);
    }

    /** A CANCEL instruction for attempt {@code attempt} of the job, for worker {@code workerId} only when it is not null. */
    static void cancelAttempt(Job job, int attempt, String workerId, FailureReason reason, String message, Instant now,
            Outputs out) {
        LOG.info("job {} attempt {}: asking {} to cancel ({}: {})", job.id, attempt,
                workerId == null ? "its worker" : "worker " + workerId, reason, message);
        out.control(new WorkerControl(WorkerControl.Type.CANCEL, job.id, attempt,
                io.kindling.schemas.AttemptId.of(job.id, attempt), job.pool(), reason, message, now, workerId));
    }
}
