package io.kindling.worker;

import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.LaunchedApp;
import io.kindling.worker.launcher.Launcher;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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
    private final BlockingQueue<FakeApp> launched = new LinkedBlockingQueue<>();
    private final Map<String, FakeApp> apps = new ConcurrentHashMap<>();
    private final AtomicInteger appIds = new AtomicInteger();
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

    public static FakeLauncher refusing(String message) {
        return new FakeLauncher(false, message);
    }

    @Override
    public Launch launch(RunAssignment run) {
        if (refusal != null) {
            return new Launch.Refused(refusal);
        }
        FakeApp app = new FakeApp(run);
        apps.put(run.attemptId(), app);
        launched.add(app);
        if (autoSucceed) {
            app.appId("local-" + (1_700_000_000_000L + appIds.incrementAndGet()));
            app.exit(0, null);
        }
        return new Launch.Started(app);
    }

    @Override
    public boolean cancel(String attemptId) {
        FakeApp app = apps.get(attemptId);
        return app != null && app.end(new AppExit(143, true, "cancelled"));
    }

    @Override
    public void close() {
        closed = true;
        apps.values().forEach(app -> app.end(new AppExit(143, false, "killed")));
    }

    public boolean closed() {
        return closed;
    }

    /** The next app launched, waiting up to {@code timeout}; null if none. */
    public FakeApp next(Duration timeout) throws InterruptedException {
        return launched.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int launchedCount() {
        return apps.size();
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
