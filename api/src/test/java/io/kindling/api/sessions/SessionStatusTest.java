package io.kindling.api.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SessionStatusTest {
    @ParameterizedTest
    @EnumSource(value = JobState.class, names = {"QUEUED", "DISPATCHED", "SUBMITTING", "RETRYING"})
    void aSessionWhoseServerIsNotUpYetIsStarting(JobState state) {
        assertThat(SessionStatus.of(job(state, null, null))).isEqualTo(new SessionStatus(SessionState.STARTING, null, null));
    }

    @Test
    void aRunningSessionIsReady() {
        assertThat(SessionStatus.of(job(JobState.RUNNING, null, null)).state()).isEqualTo(SessionState.READY);
    }

    @Test
    void aCancelledSessionEndedDeletedUnlessTheIdleSweeperCancelledIt() {
        SessionStatus deleted = SessionStatus.of(job(JobState.CANCELLED, FailureReason.CANCELLED, "cancelled: DELETED"));
        assertThat(deleted.state()).isEqualTo(SessionState.ENDED);
        assertThat(deleted.reason()).isEqualTo("DELETED");
        SessionStatus idle = SessionStatus.of(job(JobState.CANCELLED, FailureReason.CANCELLED,
                "cancelled: IDLE: no call through the gateway for 600 s (idleTimeoutSeconds)"));
        assertThat(idle.state()).isEqualTo(SessionState.ENDED);
        assertThat(idle.reason()).isEqualTo("IDLE");
        assertThat(idle.message()).contains("600 s");
    }

    @Test
    void aTimedOutSessionEndedAtItsLifetimeAndOtherFailuresAreFailures() {
        SessionStatus lifetime = SessionStatus.of(job(JobState.FAILED, FailureReason.TIMED_OUT, "exceeded timeoutSeconds"));
        assertThat(lifetime).isEqualTo(new SessionStatus(SessionState.ENDED, "LIFETIME", "exceeded timeoutSeconds"));
        assertThat(SessionStatus.of(job(JobState.FAILED, FailureReason.SUBMISSION_FAILED, "no spark-submit")))
                .isEqualTo(new SessionStatus(SessionState.FAILED, "SUBMISSION_FAILED", "no spark-submit"));
        assertThat(SessionStatus.of(job(JobState.FAILED, FailureReason.LOST, null)).reason()).isEqualTo("LOST");
        assertThat(SessionStatus.of(job(JobState.REJECTED, FailureReason.REJECTED, "bad")).state())
                .isEqualTo(SessionState.FAILED);
    }

    @Test
    void aServerThatExitedOnItsOwnEndedTheSession() {
        assertThat(SessionStatus.of(job(JobState.SUCCEEDED, null, null)))
                .extracting(SessionStatus::state, SessionStatus::reason).containsExactly(SessionState.ENDED, "SERVER_EXITED");
    }

    @Test
    void everyJobStateMapsToASessionState() {
        for (JobState state : JobState.values()) {
            assertThat(SessionStatus.of(job(state, null, null)).state()).as(state.name()).isNotNull();
        }
    }

    private static JobView job(JobState state, FailureReason reason, String message) {
        Instant t = Instant.parse("2026-12-05T16:00:00Z");
        return new JobView("s-1", "session", "default", "team-a", state, reason, message,
                Map.of(SessionSpecs.SESSION_LABEL, "true"), t, t, null, null, List.of());
    }
}
