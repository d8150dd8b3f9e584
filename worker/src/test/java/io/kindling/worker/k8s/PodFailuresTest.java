package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kindling.schemas.FailureReason;
import io.kindling.worker.k8s.PodFailures.PodState;
import io.kindling.worker.launcher.AppExit;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodFailuresTest {
    private static final Instant NOW = Instant.parse("2026-11-21T06:10:00Z");
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    @Test
    void phasesBecomePendingRunningAndEnded() {
        assertThat(classify(null)).isEqualTo(new PodState.Pending(Optional.empty()));
        assertThat(classify(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending").build()))
                .isEqualTo(new PodState.Pending(Optional.empty()));
        assertThat(classify(PodStatuses.running())).isInstanceOf(PodState.Running.class);
        AppExit ok = ended(PodStatuses.terminated("Succeeded", 0, "Completed"));
        assertThat(ok.succeeded()).isTrue();
    }

    @Test
    void anExitCodeIsAnAppFailure() {
        AppExit exit = ended(PodStatuses.terminated("Failed", 3, "Error"));
        assertThat(exit.reason()).isEqualTo(FailureReason.APP_FAILED);
        assertThat(exit.exitCode()).isEqualTo(3);
        assertThat(exit.message()).contains("code 3");
    }

    @Test
    void oomKilledIsItsOwnReason() {
        AppExit exit = ended(PodStatuses.terminated("Failed", 137, "OOMKilled"));
        assertThat(exit.reason()).isEqualTo(FailureReason.OOM_KILLED);
        assertThat(exit.exitCode()).isEqualTo(137);
    }

    @Test
    void imagePullProblemsAreImagePull() {
        for (String reason : PodFailures.IMAGE_PULL_REASONS) {
            AppExit exit = ended(PodStatuses.waiting(reason, "manifest unknown"));
            assertThat(exit.reason()).isEqualTo(FailureReason.IMAGE_PULL);
            assertThat(exit.message()).contains(PodStatuses.IMAGE).contains(reason).contains("manifest unknown");
        }
    }

    @Test
    void containerConfigErrorsAreSubmissionFailuresWithTheKubeletsMessage() {
        AppExit exit = ended(PodStatuses.waiting("CreateContainerConfigError", "secret \"storage\" not found"));
        assertThat(exit.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(exit.message()).contains("secret \"storage\" not found");
    }

    @Test
    void aFailedArtifactFetchIsASubmissionFailureWithItsMessage() {
        AppExit exit = ended(PodStatuses.initFailed(1, "artifact artifact://t/x/etl.py does not match its hash"));
        assertThat(exit.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(exit.exitCode()).isEqualTo(1);
        assertThat(exit.message()).contains("fetching the job's artifacts failed").contains("does not match its hash");
    }

    @Test
    void crashLoopIsAnAppFailureWithTheLastExitCode() {
        AppExit exit = ended(PodStatuses.crashLoop(2));
        assertThat(exit.reason()).isEqualTo(FailureReason.APP_FAILED);
        assertThat(exit.exitCode()).isEqualTo(2);
    }

    @Test
    void unschedulableFailsOnlyAfterThePoolsPatience() {
        Instant since = NOW.minusSeconds(60);
        assertThat(classify(PodStatuses.unschedulable(since)))
                .isEqualTo(new PodState.Pending(Optional.of(since.plus(PATIENCE))));
        AppExit exit = ended(PodStatuses.unschedulable(NOW.minus(PATIENCE)));
        assertThat(exit.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(exit.message()).contains("Unschedulable").contains("Insufficient memory");
    }

    @Test
    void anEvictedPodIsLost() {
        AppExit exit = ended(PodStatuses.evicted());
        assertThat(exit.reason()).isEqualTo(FailureReason.LOST);
        assertThat(exit.message()).contains("Evicted");
    }

    private static PodState classify(PodStatus status) {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withStatus(status).build();
        return PodFailures.classify(pod, NOW, PATIENCE);
    }

    private static AppExit ended(PodStatus status) {
        PodState state = classify(status);
        assertThat(state).isInstanceOf(PodState.Ended.class);
        return ((PodState.Ended) state).exit();
    }
}
