package io.kindling.worker.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The waits below are ten minutes long: only the watch's wake-up ends them within the tests'
 * deadline of a minute.
 */
class ExitWatchTest {
    private static final Duration LONG = Duration.ofMinutes(10);

    @Test
    void aRecordRenamedIntoPlaceWakesItsAttemptsWaiter(@TempDir Path spool) throws Exception {
        try (ExitWatch watch = ExitWatch.on(spool); ExitWatch.Signal signal = watch.signal("job-a1")) {
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> awaitQuietly(signal));
            // as the shim writes it: a hidden temporary file, renamed into place
            Path tmp = Files.writeString(spool.resolve(ExitRecord.DIR).resolve(".job-a1.json.tmp"), "{}");
            Files.move(tmp, ExitRecord.file(spool, "job-a1"), StandardCopyOption.ATOMIC_MOVE);

            await().atMost(Duration.ofMinutes(1)).until(waiting::isDone);
            assertThat(waiting).isNotCompletedExceptionally();
        }
    }

    @Test
    void aRecordThatCameBeforeTheWaitStillEndsIt(@TempDir Path spool) throws Exception {
        try (ExitWatch watch = ExitWatch.on(spool); ExitWatch.Signal signal = watch.signal("job-a2")) {
            Files.writeString(ExitRecord.file(spool, "job-a2"), "{}");
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> awaitQuietly(signal));

            await().atMost(Duration.ofMinutes(1)).until(waiting::isDone);
        }
    }

    @Test
    void closingTheWatchReleasesItsWaiters(@TempDir Path spool) throws Exception {
        ExitWatch watch = ExitWatch.on(spool);
        ExitWatch.Signal signal = watch.signal("job-a3");
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> awaitQuietly(signal));

        watch.close();

        await().atMost(Duration.ofMinutes(1)).until(waiting::isDone);
    }

    private static void awaitQuietly(ExitWatch.Signal signal) {
        try {
            signal.await(LONG);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
