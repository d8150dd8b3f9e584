package io.kindling.dispatcher.lifecycle;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import java.time.Instant;
import java.util.Map;

/**
 * One job's state as the dispatcher keeps it on its compacted state topic (key = job id), written
 * in the same transaction as the events that changed it. A live job's snapshot is its full state
 * (spec, attempt, holder, budgets, cancel requested, ...); a finished job's is small (its id,
 * final state, the sha256 of its spec for idempotent replays, when it ended) and becomes a
 * tombstone once the retention time has passed. Read back on start instead of the events topic.
 * {@code trace} (live jobs only, left out when none; absent from records written before it) is the
 * W3C trace context the job was submitted under, so a dispatch after a restart continues that trace.
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT) // zeros and false left out: a finished job's record stays small
public record JobSnapshot(
        String jobId,
        JobState state,
        JobSpec spec,
        String pool,
        String tenant,
        String specSha256,
        Instant submittedAt,
        Instant queuedAt,
        int attempt,
        String workerId,
        Instant startedAt,
        Instant dispatchedAt,
        boolean leaseHeld,
        Instant nextAttemptAt,
        int submissionFailures,
        int otherFailures,
        int countedAttempt,
        boolean cancelRequested,
        String cancelMessage,
        String cancelledBy,
        boolean timeoutCancelSent,
        Instant endedAt,
        Map<String, String> trace) {

    /**
     * Why this record, read back from the state topic under {@code key}, cannot be restored, or
     * null. Only the dispatcher writes that topic, but a foreign or damaged record must not stop it
     * (docs/lifecycle.md, "Bad records"): a live job needs what its timers and the scheduler read.
     */
    public String problem(String key) {
        if (jobId == null || !jobId.equals(key)) {
            return "job id '" + jobId + "' is not the record key '" + key + "'";
        }
        if (state == null) {
            return "no state";
        }
        if (state.terminal()) {
            return null;
        }
        if (spec == null || spec.pool() == null || submittedAt == null || queuedAt == null) {
            return "a live job without its spec, pool, submittedAt or queuedAt";
        }
        if ((state == JobState.DISPATCHED || state == JobState.SUBMITTING || state == JobState.RUNNING) && attempt < 1) {
            return state + " without an attempt";
        }
        return state == JobState.RETRYING && nextAttemptAt == null ? "RETRYING without nextAttemptAt" : null;
    }
}
