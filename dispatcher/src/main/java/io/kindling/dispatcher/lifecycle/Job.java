package io.kindling.dispatcher.lifecycle;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import java.time.Duration;
import java.time.Instant;

/**
 * What the dispatcher knows about one job: its events folded, plus the timers that are not in
 * events (the lease, the cancel request). Changed only by {@link #apply} (the same fold serves
 * the rebuild from the events topic and live operation) and by the timer setters.
 */
final class Job {
    final String id;
    JobSpec spec;
    /** The pool and tenant, kept once the spec is dropped (a finished job). */
    private String pool;
    private String tenant;
    /** sha256 of the spec, canonical JSON: what a replayed submit is compared with once the spec is dropped. */
    String specSha256;
    Instant submittedAt;
    Instant queuedAt;
    JobState state;
    /** The current attempt's number; 0 before the first dispatch. */
    int attempt;
    String workerId;
    /** When the current attempt was dispatched (its acknowledgement deadline counts from it). */
    Instant dispatchedAt;
    /** When the job ended (its retention counts from it). */
    Instant endedAt;
    /** When the current attempt reached SUBMITTING (or RUNNING, if it skipped SUBMITTING). */
    Instant startedAt;
    /**
     * When the current attempt's lease expires; null when it holds none (only SUBMITTING/RUNNING
     * attempts, and a DISPATCHED one whose cancel awaits confirmation, hold one).
     */
    Instant leaseUntil;
    Instant nextAttemptAt;
    int submissionFailures;
    int otherFailures;
    private int countedAttempt;
    /** A cancel was asked for the current attempt (not in events: kept in the job's snapshot on the state topic). */
    boolean cancelRequested;
    /** Who asked for that cancel (the CancelJob's principal), recorded in the CANCELLED event. */
    String cancelledBy;
    /** Why the cancel was asked. */
    String cancelMessage;
    /** The timeout backstop already sent its CANCEL for the current attempt. */
    boolean timeoutCancelSent;
    /** Restored from the finished jobs' topic (loaded in the background), not from the state topic or a decision. */
    boolean fromFinishedTopic;
    /**
     * The W3C trace context the job was submitted under ({@code traceparent}, {@code tracestate}):
     * its run assignments and events carry it on, however long it waits. Null if none; dropped when the job ends.
     */
    java.util.Map<String, String> trace;

    Job(String id) {
        this.id = id;
    }

    /**
     * When this incarnation of the job ended, or, while it is live, when it was queued: a record of
     * the other topic replaces this one only if it is of a later incarnation (or ends this one).
     */
    Instant mark() {
        Instant mark = terminal() ? endedAt : queuedAt != null ? queuedAt : submittedAt;
        return mark != null ? mark : Instant.EPOCH;
    }

    /** True if {@code other}, read from the other state topic, is newer than this job's record. */
    boolean supersededBy(Job other) {
        int c = other.mark().compareTo(mark());
        return c > 0 || (c == 0 && other.terminal() && !terminal());
    }

    boolean active() {
        return state == JobState.DISPATCHED || state == JobState.SUBMITTING || state == JobState.RUNNING;
    }

    boolean terminal() {
        return state != null && state.terminal();
    }

    String pool() {
        return spec == null ? pool : spec.pool();
    }

    String tenant() {
        return spec == null ? (tenant == null ? JobSpec.DEFAULT_TENANT : tenant) : spec.tenant();
    }

    int priority() {
        return spec == null || spec.priority() == null ? 0 : spec.priority();
    }

    /** Folds one event of this job; events of older attempts and events after the end change nothing. */
    void apply(JobEvent e, Duration lease) {
        if (terminal() || (e.attempt() != null && e.attempt() < attempt)) {
            return;
        }
        switch (e.state()) {
            case QUEUED -> {
                if (state == null) {
                    spec = e.spec();
                    specSha256 = Specs.sha256(e.spec());
                    submittedAt = e.submittedAt() != null ? e.submittedAt() : e.time();
                    queuedAt = e.time();
                    state = JobState.QUEUED;
                }
            }
            case REJECTED -> {
                state = JobState.REJECTED;
                ended(e.time());
            }
            case DISPATCHED -> {
                attempt = e.attempt();
                state = JobState.DISPATCHED;
                dispatchedAt = e.time();
                workerId = null;
                startedAt = null;
                leaseUntil = null;
                nextAttemptAt = null;
                cancelRequested = false;
                cancelledBy = null;
                cancelMessage = null;
                timeoutCancelSent = false;
            }
            case SUBMITTING, RUNNING -> {
                state = e.state();
                workerId = e.workerId() != null ? e.workerId() : workerId;
                startedAt = startedAt != null ? startedAt : e.time();
                leaseUntil = e.time().plus(lease);
            }
            case RETRYING -> {
                count(e.attempt() == null ? attempt : e.attempt(), e.reason());
                state = JobState.RETRYING;
                nextAttemptAt = e.nextAttemptAt();
                leaseUntil = null;
            }
            case SUCCEEDED, FAILED, CANCELLED -> {
                if (e.state() == JobState.FAILED && e.attempt() != null) {
                    count(e.attempt(), e.reason());
                }
                state = e.state();
                ended(e.time());
            }
            default -> throw new IllegalStateException("unknown state " + e.state());
        }
    }

    /** A finished job keeps only what idempotent replays and retention need. */
    private void ended(Instant time) {
        endedAt = time;
        leaseUntil = null;
        pool = pool();
        tenant = spec == null ? tenant : spec.tenant();
        spec = null;
        workerId = null;
        cancelRequested = false;
        cancelMessage = null;
        cancelledBy = null;
        trace = null;
    }

    JobSnapshot snapshot() {
        if (terminal()) {
            return new JobSnapshot(id, state, null, pool(), tenant(), specSha256, null, null, attempt, null, null, null, false, null, 0, 0, 0,
                    false, null, null, false, endedAt, null);
        }
        return new JobSnapshot(id, state, spec, pool(), tenant(), specSha256, submittedAt, queuedAt, attempt, workerId, startedAt,
                dispatchedAt, leaseUntil != null, nextAttemptAt, submissionFailures, otherFailures, countedAttempt,
                cancelRequested, cancelMessage, cancelledBy, timeoutCancelSent, endedAt, trace);
    }

    static Job of(JobSnapshot s) {
        Job job = new Job(s.jobId());
        job.state = s.state();
        job.spec = s.spec();
        job.pool = s.pool();
        job.tenant = s.tenant();
        job.specSha256 = s.specSha256();
        job.submittedAt = s.submittedAt();
        job.queuedAt = s.queuedAt();
        job.attempt = s.attempt();
        job.workerId = s.workerId();
        job.startedAt = s.startedAt();
        job.dispatchedAt = s.dispatchedAt();
        job.leaseUntil = s.leaseHeld() ? Instant.EPOCH : null; // re-armed fresh by resume()
        job.nextAttemptAt = s.nextAttemptAt();
        job.submissionFailures = s.submissionFailures();
        job.otherFailures = s.otherFailures();
        job.countedAttempt = s.countedAttempt();
        job.cancelRequested = s.cancelRequested();
        job.cancelMessage = s.cancelMessage();
        job.cancelledBy = s.cancelledBy();
        job.timeoutCancelSent = s.timeoutCancelSent();
        job.endedAt = s.endedAt();
        job.trace = s.trace() == null || s.trace().isEmpty() ? null : s.trace();
        return job;
    }

    private void count(int failedAttempt, FailureReason reason) {
        if (failedAttempt <= countedAttempt) {
            return;
        }
        countedAttempt = failedAttempt;
        if (reason == FailureReason.SUBMISSION_FAILED) {
            submissionFailures++;
        } else {
            otherFailures++;
        }
    }
}
