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
    Instant submittedAt;
    Instant queuedAt;
    JobState state;
    /** The current attempt's number; 0 before the first dispatch. */
    int attempt;
    String workerId;
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
    /** A cancel was asked for the current attempt (not in events: lost on restart, see docs/lifecycle.md). */
    boolean cancelRequested;
    /** Who asked for that cancel (the CancelJob's principal), recorded in the CANCELLED event. */
    String cancelledBy;
    /** The timeout backstop already sent its CANCEL for the current attempt. */
    boolean timeoutCancelSent;

    Job(String id) {
        this.id = id;
    }

    boolean active() {
        return state == JobState.DISPATCHED || state == JobState.SUBMITTING || state == JobState.RUNNING;
    }

    boolean terminal() {
        return state != null && state.terminal();
    }

    String pool() {
        return spec == null ? null : spec.pool();
    }

    String tenant() {
        return spec == null ? JobSpec.DEFAULT_TENANT : spec.tenant();
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
                    submittedAt = e.submittedAt() != null ? e.submittedAt() : e.time();
                    queuedAt = e.time();
                    state = JobState.QUEUED;
                }
            }
            case REJECTED -> state = JobState.REJECTED;
            case DISPATCHED -> {
                attempt = e.attempt();
                state = JobState.DISPATCHED;
                workerId = null;
                startedAt = null;
                leaseUntil = null;
                nextAttemptAt = null;
                cancelRequested = false;
                cancelledBy = null;
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
                leaseUntil = null;
            }
            default -> throw new IllegalStateException("unknown state " + e.state());
        }
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
