package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kindling.schemas.FailureReason;
import io.kindling.worker.launcher.AppExit;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one place where a driver pod's status becomes an attempt's state: phases become
 * pending / running / ended, container reasons become {@link FailureReason}s.
 *
 * <ul>
 *   <li>{@code ImagePullBackOff}, {@code ErrImagePull}, {@code InvalidImageName},
 *       {@code ErrImageNeverPull}: IMAGE_PULL</li>
 *   <li>terminated {@code OOMKilled}: OOM_KILLED, with the exit code</li>
 *   <li>terminated with another reason ({@code Error}) or {@code CrashLoopBackOff}: APP_FAILED with the exit code</li>
 *   <li>{@code CreateContainerConfigError}, {@code CreateContainerError}: SUBMISSION_FAILED with the
 *       kubelet's message</li>
 *   <li>condition {@code PodScheduled=False} with reason {@code Unschedulable} for longer than the pool's patience:
 *       SUBMISSION_FAILED</li>
 *   <li>phase {@code Failed} without a container end ({@code Evicted}, node lost): LOST</li>
 *   <li>an init container (the artifact fetch) that exits non-zero, or cannot be created: SUBMISSION_FAILED
 *       with its message; one whose image cannot be pulled: IMAGE_PULL</li>
 * </ul>
 */
public final class PodFailures {
    public static final Set<String> IMAGE_PULL_REASONS = Set.of(
            "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull");
    public static final Set<String> CONFIG_REASONS = Set.of("CreateContainerConfigError", "CreateContainerError");
    public static final String CRASH_LOOP = "CrashLoopBackOff";
    public static final String OOM_KILLED = "OOMKilled";
    public static final String UNSCHEDULABLE = "Unschedulable";

    private PodFailures() {
    }

    /** Where a driver pod is, as far as an attempt cares. */
    public sealed interface PodState {
        /** Not running yet (scheduling, pulling, creating); {@code recheckAt}: when waiting may turn into a failure. */
        record Pending(Optional<Instant> recheckAt) implements PodState {
        }

        /** The driver container runs. */
        record Running() implements PodState {
        }

        /** The driver is over, or will never start. */
        record Ended(AppExit exit) implements PodState {
        }
    }

    /** The state {@code pod} is in at {@code now}, given how long the pool lets it stay unschedulable. */
    public static PodState classify(Pod pod, Instant now, Duration unschedulablePatience) {
        PodStatus status = pod.getStatus();
        if (status == null) {
            return new PodState.Pending(Optional.empty());
        }
        Optional<AppExit> init = initFailure(status);
        if (init.isPresent()) {
            return new PodState.Ended(init.get());
        }
        Optional<ContainerStatus> driver = driverContainer(status);
        ContainerState state = driver.map(ContainerStatus::getState).orElse(null);
        if (state != null && state.getTerminated() != null) {
            return new PodState.Ended(terminated(state.getTerminated()));
        }
        if (state != null && state.getWaiting() != null) {
            Optional<AppExit> failure = waiting(state.getWaiting(), driver.get(), pod);
            if (failure.isPresent()) {
                return new PodState.Ended(failure.get());
            }
        }
        String phase = status.getPhase() == null ? "Pending" : status.getPhase();
        switch (phase) {
            case "Succeeded":
                return new PodState.Ended(new AppExit(0, false, null));
            case "Failed":
                return new PodState.Ended(new AppExit(-1, false, "the driver pod failed: "
                        + describe(status.getReason(), status.getMessage()), FailureReason.LOST));
            case "Running":
                return new PodState.Running();
            default:
                return unschedulable(status, now, unschedulablePatience);
        }
    }

    private static AppExit terminated(ContainerStateTerminated end) {
        int code = end.getExitCode() == null ? -1 : end.getExitCode();
        if (OOM_KILLED.equals(end.getReason())) {
            return new AppExit(code, false, "the driver ran out of memory (OOMKilled, exit code " + code + ")",
                    FailureReason.OOM_KILLED);
        }
        if (code == 0) {
            return new AppExit(0, false, null);
        }
        return new AppExit(code, false, "the driver exited with code " + code
                + (end.getMessage() == null || end.getMessage().isBlank() ? "" : ": " + end.getMessage().strip()),
                FailureReason.APP_FAILED);
    }

    private static Optional<AppExit> waiting(ContainerStateWaiting waiting, ContainerStatus container, Pod pod) {
        String reason = waiting.getReason();
        if (reason == null) {
            return Optional.empty();
        }
        if (IMAGE_PULL_REASONS.contains(reason)) {
            return Optional.of(new AppExit(-1, false, "cannot pull the driver image " + container.getImage() + ": "
                    + describe(reason, waiting.getMessage()), FailureReason.IMAGE_PULL));
        }
        if (CONFIG_REASONS.contains(reason)) {
            return Optional.of(new AppExit(-1, false, "cannot create the driver container: "
                    + describe(reason, waiting.getMessage()), FailureReason.SUBMISSION_FAILED));
        }
        if (CRASH_LOOP.equals(reason)) {
            ContainerStateTerminated last = container.getLastState() == null ? null
                    : container.getLastState().getTerminated();
            AppExit exit = last == null ? null : terminated(last);
            if (exit != null && exit.reason() != null) {
                return Optional.of(exit);
            }
            int code = last == null || last.getExitCode() == null ? -1 : last.getExitCode();
            return Optional.of(new AppExit(code, false, "the driver keeps crashing: " + describe(reason,
                    waiting.getMessage()), FailureReason.APP_FAILED));
        }
        return Optional.empty();
    }

    /** The first init container that failed or will never start, as the attempt's exit. */
    private static Optional<AppExit> initFailure(PodStatus status) {
        List<ContainerStatus> inits = status.getInitContainerStatuses() == null ? List.of()
                : status.getInitContainerStatuses();
        for (ContainerStatus init : inits) {
            ContainerState state = init.getState();
            String what = DriverPodManifests.FETCH_CONTAINER.equals(init.getName())
                    ? "fetching the job's artifacts failed" : "init container " + init.getName() + " failed";
            if (state != null && state.getTerminated() != null) {
                ContainerStateTerminated end = state.getTerminated();
                int code = end.getExitCode() == null ? -1 : end.getExitCode();
                if (code != 0) {
                    String message = end.getMessage() == null || end.getMessage().isBlank() ? ""
                            : ": " + end.getMessage().strip();
                    return Optional.of(new AppExit(code, false, what + " (exit code " + code + ")" + message,
                            FailureReason.SUBMISSION_FAILED));
                }
            } else if (state != null && state.getWaiting() != null && state.getWaiting().getReason() != null) {
                ContainerStateWaiting waiting = state.getWaiting();
                if (IMAGE_PULL_REASONS.contains(waiting.getReason())) {
                    return Optional.of(new AppExit(-1, false, what + ": cannot pull the image " + init.getImage()
                            + ": " + describe(waiting.getReason(), waiting.getMessage()), FailureReason.IMAGE_PULL));
                }
                if (CONFIG_REASONS.contains(waiting.getReason())) {
                    return Optional.of(new AppExit(-1, false, what + ": " + describe(waiting.getReason(),
                            waiting.getMessage()), FailureReason.SUBMISSION_FAILED));
                }
            }
        }
        return Optional.empty();
    }

    private static PodState unschedulable(PodStatus status, Instant now, Duration patience) {
        List<PodCondition> conditions = status.getConditions() == null ? List.of() : status.getConditions();
        for (PodCondition condition : conditions) {
            if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())
                    && UNSCHEDULABLE.equals(condition.getReason())) {
                Instant since = parse(condition.getLastTransitionTime()).orElse(now);
                Instant deadline = since.plus(patience);
                if (!now.isBefore(deadline)) {
                    return new PodState.Ended(new AppExit(-1, false, "the driver pod could not be scheduled for "
                            + Duration.between(since, now).toSeconds() + "s: " + describe(UNSCHEDULABLE,
                                    condition.getMessage()), FailureReason.SUBMISSION_FAILED));
                }
                return new PodState.Pending(Optional.of(deadline));
            }
        }
        return new PodState.Pending(Optional.empty());
    }

    /** True when the container {@code name} of the pod is ready (its probes passed). */
    public static boolean ready(Pod pod, String name) {
        return container(pod.getStatus(), name).map(c -> Boolean.TRUE.equals(c.getReady())).orElse(false);
    }

    /**
     * How the attempt ends when a session's relay-agent sidecar {@code name} has terminated: before
     * the session was ready (its startup probe ran out: the server never answered) SUBMISSION_FAILED,
     * which a session's retry policy retries; after, APP_FAILED (the session can no longer be reached).
     */
    public static Optional<AppExit> sidecarEnded(Pod pod, String name, boolean wasReady) {
        return container(pod.getStatus(), name).map(ContainerStatus::getState).map(ContainerState::getTerminated)
                .map(end -> {
                    int code = end.getExitCode() == null ? -1 : end.getExitCode();
                    String message = "the session's relay agent (container " + name + ") ended with code " + code
                            + (wasReady ? "" : " before the Spark Connect server was ready") + ": "
                            + describe(end.getReason(), end.getMessage());
                    return new AppExit(code == 0 ? -1 : code, false, message,
                            wasReady ? FailureReason.APP_FAILED : FailureReason.SUBMISSION_FAILED);
                });
    }

    private static Optional<ContainerStatus> container(PodStatus status, String name) {
        if (status == null || status.getContainerStatuses() == null) {
            return Optional.empty();
        }
        return status.getContainerStatuses().stream().filter(c -> name.equals(c.getName())).findFirst();
    }

    private static Optional<ContainerStatus> driverContainer(PodStatus status) {
        List<ContainerStatus> containers = status.getContainerStatuses() == null ? List.of()
                : status.getContainerStatuses();
        return containers.stream().filter(c -> DriverPodManifests.DRIVER_CONTAINER.equals(c.getName())).findFirst()
                .or(() -> containers.stream().findFirst());
    }

    private static Optional<Instant> parse(String time) {
        try {
            return time == null ? Optional.empty() : Optional.of(Instant.parse(time));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String describe(String reason, String message) {
        String r = reason == null ? "unknown reason" : reason;
        return message == null || message.isBlank() ? r : r + " (" + message.strip() + ")";
    }
}
