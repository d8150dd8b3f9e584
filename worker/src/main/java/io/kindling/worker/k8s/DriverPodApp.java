package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.kindling.worker.k8s.PodFailures.PodState;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.LaunchedApp;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * A driver pod as the worker sees it: fed every version of the pod (by an informer in
 * {@link DriverPodLauncher}), it completes the app id when the driver container runs and the exit
 * when {@link PodFailures} says the driver is over, or when the pod disappears.
 *
 * <p>The app id is the deterministic {@code spark.app.id} the pod was given, so it is known
 * without reading the event log. Works the same for a pod this worker created and one it adopted.
 * A session's pod ({@code readyContainer} set: its relay-agent sidecar) has its app id only once
 * that container is ready, so its attempt is reported RUNNING (READY) only when a client can connect.
 */
public final class DriverPodApp implements LaunchedApp {
    private final String attemptId;
    private final String sparkAppId;
    private final String sparkUiUrl;
    private final Clock clock;
    private final Duration unschedulablePatience;
    private final Consumer<Pending> onPending;
    private final String readyContainer;
    private final CompletableFuture<Optional<String>> appId = new CompletableFuture<>();
    private final CompletableFuture<AppExit> exit = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile boolean sidecarEnded;
    private volatile Pod lastPod;

    /** A pod that may turn from waiting into a failure at {@code at} without changing; look again then. */
    record Pending(DriverPodApp app, java.time.Instant at) {
    }

    /** @param readyContainer the container that must be ready before the app counts as running, or null */
    DriverPodApp(String attemptId, String sparkAppId, String sparkUiUrl, Clock clock, Duration unschedulablePatience,
            Consumer<Pending> onPending, String readyContainer) {
        this.readyContainer = readyContainer;
        this.attemptId = attemptId;
        this.sparkAppId = sparkAppId;
        this.sparkUiUrl = sparkUiUrl;
        this.clock = clock;
        this.unschedulablePatience = unschedulablePatience;
        this.onPending = onPending;
    }

    public String attemptId() {
        return attemptId;
    }

    /** Where people reach the Spark UI; carried into the attempt's RUNNING report. */
    @Override
    public java.util.Optional<String> sparkUiUrl() {
        return java.util.Optional.ofNullable(sparkUiUrl);
    }

    @Override
    public Optional<String> awaitAppId() throws InterruptedException {
        return join(appId);
    }

    @Override
    public AppExit awaitExit() throws InterruptedException {
        return join(exit);
    }

    /** The exit, for callbacks (cleanup); completes once. */
    CompletableFuture<AppExit> exit() {
        return exit;
    }

    /** The last version of the pod seen, or null. */
    Pod lastPod() {
        return lastPod;
    }

    /** Takes in the pod as it is now. */
    void observe(Pod pod) {
        if (exit.isDone()) {
            return;
        }
        lastPod = pod;
        PodState state = PodFailures.classify(pod, clock.instant(), unschedulablePatience);
        if (readyContainer != null && !(state instanceof PodState.Ended)) {
            // the driver's own end comes first: the sidecar ends after its server by design
            Optional<AppExit> sidecar = PodFailures.sidecarEnded(pod, readyContainer, appId.isDone());
            if (sidecar.isPresent()) {
                sidecarEnded = true;
                end(sidecar.get());
                return;
            }
        }
        switch (state) {
            case PodState.Running running -> {
                if (readyContainer == null || PodFailures.ready(pod, readyContainer)) {
                    appId.complete(Optional.of(sparkAppId));
                }
            }
            case PodState.Ended ended -> end(ended.exit());
            case PodState.Pending pending ->
                    pending.recheckAt().ifPresent(at -> onPending.accept(new Pending(this, at)));
        }
    }

    /** The pod is gone: deleted on cancel, or by someone else (the attempt is then LOST). */
    void podDeleted() {
        end(cancelled ? new AppExit(-1, true, null) : AppExit.lost("the driver pod was deleted outside Kindling"));
    }

    /** A cancel is under way: however the pod ends now, it ends cancelled. */
    void cancelling() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** True when a session's relay agent ended it: its server may still run, unreachable, so its pod goes at once. */
    boolean sidecarEnded() {
        return sidecarEnded;
    }

    private void end(AppExit how) {
        AppExit result = cancelled ? new AppExit(how.exitCode(), true, null) : how;
        if (how.exitCode() == 0 && how.reason() == null) {
            appId.complete(Optional.of(sparkAppId));
        }
        appId.complete(Optional.empty());
        exit.complete(result);
    }

    private static <T> T join(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("watching the driver pod failed", e.getCause());
        }
    }
}
