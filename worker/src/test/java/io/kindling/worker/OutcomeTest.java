package io.kindling.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import org.junit.jupiter.api.Test;

class OutcomeTest {
    private static final StopRequest CANCEL = new StopRequest(FailureReason.CANCELLED, "by alice");
    private static final StopRequest TIMEOUT = new StopRequest(FailureReason.TIMED_OUT, "limit 60 s");
    private static final StopRequest LOST = new StopRequest(FailureReason.LOST, "no Kafka");

    @Test
    void aCleanExitSucceedsEvenIfAStopCameTooLate() {
        assertThat(Outcome.of(0, false, null, null, null)).isEqualTo(new Outcome(JobState.SUCCEEDED, null, null, 0));
        assertThat(Outcome.of(0, false, null, null, CANCEL).state()).isEqualTo(JobState.SUCCEEDED);
    }

    @Test
    void aStoppedAttemptEndsAsItsStopSays() {
        assertThat(Outcome.of(143, true, null, null, CANCEL))
                .isEqualTo(new Outcome(JobState.CANCELLED, FailureReason.CANCELLED, "by alice", 143));
        assertThat(Outcome.of(137, true, null, null, TIMEOUT))
                .isEqualTo(new Outcome(JobState.FAILED, FailureReason.TIMED_OUT, "limit 60 s", 137));
        assertThat(Outcome.of(-1, false, FailureReason.LOST, "gone", LOST))
                .isEqualTo(new Outcome(JobState.FAILED, FailureReason.LOST, "no Kafka", null));
    }

    @Test
    void otherwiseTheLauncherVerdictThenTheExitCodeDecide() {
        assertThat(Outcome.of(null, false, FailureReason.SUBMISSION_FAILED, "no spark-submit", null))
                .isEqualTo(new Outcome(JobState.FAILED, FailureReason.SUBMISSION_FAILED, "no spark-submit", null));
        assertThat(Outcome.of(137, true, FailureReason.LOST, "lease ran out", null))
                .isEqualTo(new Outcome(JobState.FAILED, FailureReason.LOST, "lease ran out", 137));
        assertThat(Outcome.of(3, false, null, "ValueError: boom", null))
                .isEqualTo(new Outcome(JobState.FAILED, FailureReason.APP_FAILED, "ValueError: boom", 3));
        assertThat(Outcome.of(143, true, null, null, null).state()).isEqualTo(JobState.CANCELLED);
        assertThat(Outcome.of(2, false, null, null, null).message()).isEqualTo("spark-submit exited with code 2");
    }
}
