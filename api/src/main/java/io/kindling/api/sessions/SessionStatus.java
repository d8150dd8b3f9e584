package io.kindling.api.sessions;

import io.kindling.schemas.AttemptView;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobView;

/**
 * A session's state and reason, from its job's view: the one owner of that mapping.
 * QUEUED, DISPATCHED, SUBMITTING, RETRYING: STARTING; RUNNING: READY (the worker reports RUNNING
 * only once the server answers and its relay agent is started); CANCELLED: ENDED, reason IDLE when
 * the cancel was the idle sweeper's ({@link #IDLE_CANCEL}), else DELETED; FAILED with TIMED_OUT:
 * ENDED, reason LIFETIME (the job's timeoutSeconds is the session's maximum lifetime); other
 * FAILED: FAILED with the failure reason; SUCCEEDED (the server exited 0): ENDED, reason
 * SERVER_EXITED; REJECTED: FAILED, reason REJECTED.
 *
 * @param reason null while STARTING or READY; a {@link SessionState.Reason} name when ENDED, a
 *               {@link FailureReason} name when FAILED
 */
public record SessionStatus(SessionState state, String reason, String message) {
    /** The cancel reason the idle sweeper sends; the CANCELLED job's message carries it. */
    public static final String IDLE_CANCEL = "IDLE";
    /** The cancel reason of {@code DELETE /v1/sessions/{id}}. */
    public static final String DELETE_CANCEL = "DELETED";

    public static SessionStatus of(JobView job) {
        return switch (job.state()) {
            case QUEUED, DISPATCHED, SUBMITTING, RETRYING -> new SessionStatus(SessionState.STARTING, null, null);
            case RUNNING -> new SessionStatus(SessionState.READY, null, null);
            case SUCCEEDED -> ended(SessionState.Reason.SERVER_EXITED, "the Spark Connect server exited");
            case CANCELLED -> ended(idleCancel(job) ? SessionState.Reason.IDLE : SessionState.Reason.DELETED, message(job));
            case FAILED -> job.reason() == FailureReason.TIMED_OUT
                    ? ended(SessionState.Reason.LIFETIME, message(job))
                    : new SessionStatus(SessionState.FAILED,
                            (job.reason() == null ? FailureReason.APP_FAILED : job.reason()).name(), message(job));
            case REJECTED -> new SessionStatus(SessionState.FAILED, FailureReason.REJECTED.name(), message(job));
        };
    }

    private static SessionStatus ended(SessionState.Reason reason, String message) {
        return new SessionStatus(SessionState.ENDED, reason.name(), message);
    }

    /** The job's message, else its latest attempt's. */
    private static String message(JobView job) {
        if (job.message() != null) {
            return job.message();
        }
        return job.latestAttempt().map(AttemptView::message).orElse(null);
    }

    /** The dispatcher writes a cancel's reason into the message ("cancelled: IDLE: ..."). */
    private static boolean idleCancel(JobView job) {
        return mentionsIdle(job.message()) || job.latestAttempt().map(a -> mentionsIdle(a.message())).orElse(false);
    }

    private static boolean mentionsIdle(String message) {
        return message != null && message.contains(IDLE_CANCEL + ":");
    }
}
