package io.kindling.worker;

import io.kindling.schemas.FailureReason;

import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.Adoption;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.LaunchedApp;
import io.kindling.worker.launcher.Launcher;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Launcher} for tests: launches nothing. In {@code succeeding} mode every app gets an id
 * and exits 0 at once; in {@code manual} mode the test drives each {@link FakeApp}.
 */
public final class FakeLauncher implements Launcher {
    private final boolean autoSucceed;
    private final String refusal;
    private FailureReason refusalReason = FailureReason.SUBMISSION_FAILED;
    private final BlockingQueue<FakeApp> launched = new LinkedBlockingQueue<>();
    private final Map<String, FakeApp> apps = new ConcurrentHashMap<>();
    private final AtomicInteger appIds = new AtomicInteger();
    private final AtomicInteger launches = new AtomicInteger();
    private final Map<String, FakeApp> adoptable = new ConcurrentHashMap<>();
    private final Map<String, String> vanished = new ConcurrentHashMap<>();
    private final Set<String> adopted = ConcurrentHashMap.newKeySet();
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private FakeLauncher(boolean autoSucceed, String refusal) {
        this.autoSucceed = autoSucceed;
        this.refusal = refusal;
    }

    public static FakeLauncher succeeding() {
        return new FakeLauncher(true, null);
    }

    public static FakeLauncher manual() {
        return new FakeLauncher(false, null);
    }

    /** Refuses every launch as the launch policy does: REJECTED. */
    public static FakeLauncher rejecting(String message) {
        FakeLauncher launcher = refusing(message);
        launcher.refusalReason = FailureReason.REJECTED;
        return launcher;
    }

    public static FakeLauncher refusing(String message) {
        return new FakeLauncher(false, message);
    }

    @Override
    public Launch launch(RunAssignment run) {
        if (refusal != null) {
            return new Launch.Refused(refusal, refusalReason);
        }
        FakeApp app = new FakeApp(run);
        apps.put(run.attemptId(), app);
        launched.add(app);
        launches.incrementAndGet();
        if (autoSucceed) {
            app.appId("local-" + (1_700_000_000_000L + appIds.incrementAndGet()));
            app.exit(0, null);
        }
        return new Launch.Started(app);
    }

    @Override
    public boolean cancel(String attemptId) {
        cancelled.add(attemptId);
        FakeApp app = apps.get(attemptId);
        return app != null && app.end(new AppExit(143, true, "cancelled"));
    }

    @Override
    public Adoption adopt(RunAssignment run) {
        FakeApp app = adoptable.get(run.attemptId());
        if (app != null) {
            apps.put(run.attemptId(), app);
            adopted.add(run.attemptId());
            return new Adoption.Running(app);
        }
        String message = vanished.get(run.attemptId());
        return message != null ? new Adoption.Vanished(message) : new Adoption.NotLaunched();
    }

    /** {@link #adopt} finds this attempt running, as a restarted worker would find its shim. */
    public FakeApp adoptable(RunAssignment run) {
        FakeApp app = new FakeApp(run);
        adoptable.put(run.attemptId(), app);
        return app;
    }

    /** {@link #adopt} finds this attempt launched but gone. */
    public void vanished(String attemptId, String message) {
        vanished.put(attemptId, message);
    }

    /** The app of an attempt launched or adopted here. */
    public FakeApp app(String attemptId) {
        return apps.get(attemptId);
    }

    public boolean adopted(String attemptId) {
        return adopted.contains(attemptId);
    }

    public boolean cancelled(String attemptId) {
        return cancelled.contains(attemptId);
    }

    /** Leaves the apps running, as the real launcher leaves its shims. */
    @Override
    public void close() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }

    /** The next app launched, waiting up to {@code timeout}; null if none. */
    public FakeApp next(Duration timeout) throws InterruptedException {
        return launched.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many times {@link #launch} started an app. */
    public int launchedCount() {
        return launches.get();
    }

    /** A pretend driver the test makes get an app id and exit. */
    public static final class FakeApp implements LaunchedApp {
        private final RunAssignment run;
        private final CompletableFuture<String> appId = new CompletableFuture<>();
        private final CompletableFuture<AppExit> exit = new CompletableFuture<>();

        FakeApp(RunAssignment run) {
            this.run = run;
        }

        public RunAssignment run() {
            return run;
        }

        public void appId(String id) {
            appId.complete(id);
        }

        public void exit(int code, String message) {
            end(new AppExit(code, false, message));
        }

        boolean end(AppExit value) {
            return exit.complete(value);
        }

        @Override
        public Optional<String> awaitAppId() throws InterruptedException {
            get(CompletableFuture.anyOf(appId, exit));
            return appId.isDone() ? Optional.of(appId.join()) : Optional.empty();
        }

        @Override
        public AppExit awaitExit() throws InterruptedException {
            return get(exit);
        }

        private static <T> T get(CompletableFuture<T> future) throws InterruptedException {
            try {
                return future.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
