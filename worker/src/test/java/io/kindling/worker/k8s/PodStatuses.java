package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;

/** Pod statuses as the kubelet and the scheduler write them, for tests that drive a driver pod. */
final class PodStatuses {
    static final String IMAGE = "myacr.azurecr.io/spark-py:4.0";

    private PodStatuses() {
    }

    static PodStatus running() {
        return new PodStatusBuilder().withPhase("Running").withContainerStatuses(container()
                .withNewState().withNewRunning().withStartedAt("2026-11-21T06:01:00Z").endRunning().endState()
                .build()).build();
    }

    static PodStatus terminated(String phase, int exitCode, String reason) {
        return new PodStatusBuilder().withPhase(phase).withContainerStatuses(container()
                .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason)
                .withFinishedAt("2026-11-21T06:02:00Z").endTerminated().endState().build()).build();
    }

    static PodStatus waiting(String reason, String message) {
        return new PodStatusBuilder().withPhase("Pending").withContainerStatuses(container()
                .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                .build()).build();
    }

    static PodStatus crashLoop(int lastExitCode) {
        ContainerStatus status = container()
                .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
                .withNewLastState().withNewTerminated().withExitCode(lastExitCode).withReason("Error").endTerminated()
                .endLastState().build();
        return new PodStatusBuilder().withPhase("Running").withContainerStatuses(status).build();
    }

    static PodStatus unschedulable(Instant since) {
        return new PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled")
                .withStatus("False").withReason("Unschedulable")
                .withMessage("0/3 nodes are available: 3 Insufficient memory.")
                .withLastTransitionTime(since.toString()).endCondition().build();
    }

    /** The artifact-fetching init container exited with {@code exitCode}; the pod failed (restartPolicy Never). */
    static PodStatus initFailed(int exitCode, String message) {
        return new PodStatusBuilder().withPhase("Failed").addNewInitContainerStatus()
                .withName(DriverPodManifests.FETCH_CONTAINER).withImage("kindling/worker:test")
                .withNewState().withNewTerminated().withExitCode(exitCode).withReason("Error").withMessage(message)
                .endTerminated().endState().endInitContainerStatus()
                .withContainerStatuses(container().withNewState().withNewWaiting().withReason("PodInitializing")
                        .endWaiting().endState().build()).build();
    }

    static PodStatus evicted() {
        return new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
                .withMessage("The node was low on resource: memory.").build();
    }

    private static ContainerStatusBuilder container() {
        return new ContainerStatusBuilder().withName(DriverPodManifests.DRIVER_CONTAINER).withImage(IMAGE);
    }
}
