package io.kindling.api.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.api.logs.LogReader.Chunk;
import io.kindling.api.logs.LogReader.Target;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.Json;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared reader of followed logs, on a local-directory store whose reads are counted. */
class LogTailsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final Target TARGET = new Target("acme", "job-1", 1, LogStream.STDOUT);
    private static final String PATH = LogLayout.stream("acme", "job-1", 1, LogStream.STDOUT);

    @TempDir
    Path temp;
    private BlobStore blobs;
    private final AtomicInteger streamReads = new AtomicInteger();
    private final ExecutorService io = Executors.newFixedThreadPool(2);
    private LogTails tails;

    @BeforeEach
    void start() {
        BlobStore local = new LocalDirBlobStore(temp.resolve("blobs"));
        blobs = (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(), new Class<?>[] {BlobStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("read") && args != null && String.valueOf(args[0]).startsWith(PATH)) {
                        streamReads.incrementAndGet();
                    }
                    try {
                        return method.invoke(local, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private LogTails tails(int windowBytes, Duration idleWake) {
        tails = new LogTails(new LogReader(blobs), io, new LogTails.Settings(Duration.ofMillis(50), windowBytes,
                Math.min(1024, windowBytes), idleWake));
        return tails;
    }

    @AfterEach
    void stop() throws Exception {
        if (tails != null) {
            tails.close();
        }
        io.shutdownNow();
        blobs.close();
    }

    private void append(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        blobs.append(PATH, blobs.length(PATH), bytes, 0, bytes.length);
    }

    private void complete() {
        blobs.put(LogLayout.index("acme", "job-1", 1), Json.encode(new LogIndex("job-1", 1, "job-1-a1",
                Map.of("stdout", blobs.length(PATH)), List.of(), true, Instant.now())));
    }

    private CompletableFuture<Optional<Chunk>> follow(long offset, long seen) {
        CompletableFuture<Optional<Chunk>> answer = new CompletableFuture<>();
        tails.await(TARGET, offset, seen, answer::complete);
        return answer;
    }

    private static String text(CompletableFuture<Optional<Chunk>> answer) {
        return new String(answer.join().orElseThrow().bytes(), UTF_8);
    }

    @Test
    void manyFollowersAtTheEdgeShareOneReaderAndAllGetTheNewLine() {
        tails(64 * 1024, Duration.ofMinutes(1));
        append("first\n");
        List<CompletableFuture<Optional<Chunk>>> followers = IntStream.range(0, 200)
                .mapToObj(i -> follow(6, 6)).toList();
        await().atMost(DEADLINE).until(() -> tails.followedStreams() == 1 && streamReads.get() > 0);
        assertThat(followers).noneMatch(CompletableFuture::isDone);

        append("second\n");
        await().atMost(DEADLINE).until(() -> followers.stream().allMatch(CompletableFuture::isDone));
        assertThat(followers).allSatisfy(f -> assertThat(text(f)).isEqualTo("second\n"));
        assertThat(streamReads.get()).as("store reads of the stream for 200 followers").isLessThan(200);
    }

    @Test
    void aFollowerBehindTheWindowIsToldToReadTheStoreItself() {
        tails(16, Duration.ofMinutes(1));
        CompletableFuture<Optional<Chunk>> start = follow(0, 0);
        CompletableFuture<Optional<Chunk>> end = follow(90, 90);
        append("0123456789".repeat(10));
        await().atMost(DEADLINE).until(() -> start.isDone() && end.isDone());
        assertThat(text(start)).as("one read: up to the window's size").isEqualTo("0123456789012345");
        assertThat(text(end)).as("what the reads had reached past offset 90").isNotEmpty()
                .satisfies(t -> assertThat("0123456789").startsWith(t));

        assertThat(follow(10, 10).join()).as("offset 10 is before the window's last 16 bytes").isEmpty();
    }

    @Test
    void aFollowerThatHoldsAnUnfinishedLineWaitsForMoreThanItHasSeen() {
        tails(1024, Duration.ofMinutes(1));
        append("no newline yet");
        CompletableFuture<Optional<Chunk>> first = follow(0, 0);
        await().atMost(DEADLINE).until(first::isDone);
        assertThat(text(first)).isEqualTo("no newline yet");

        CompletableFuture<Optional<Chunk>> rest = follow(0, 14);
        await().atMost(DEADLINE).until(() -> streamReads.get() >= 3); // polled again with nothing new
        assertThat(rest).isNotDone();
        append(", now\n");
        await().atMost(DEADLINE).until(rest::isDone);
        assertThat(text(rest)).isEqualTo("no newline yet, now\n");
    }

    @Test
    void aCompleteStreamAnswersAtOnceSayingSoAndIsForgotten() {
        tails(1024, Duration.ofMinutes(1));
        append("all\n");
        complete();
        CompletableFuture<Optional<Chunk>> answer = follow(4, 4);
        await().atMost(DEADLINE).until(answer::isDone);
        assertThat(answer.join().orElseThrow().complete()).isTrue();
        assertThat(answer.join().orElseThrow().bytes()).isEmpty();
        await().atMost(DEADLINE).until(() -> tails.followedStreams() == 0);
    }

    @Test
    void aFollowerWithNothingNewIsWokenAfterTheIdleWake() {
        tails(1024, Duration.ofMillis(300));
        CompletableFuture<Optional<Chunk>> answer = follow(0, 0);
        await().atMost(DEADLINE).until(answer::isDone);
        Chunk chunk = answer.join().orElseThrow();
        assertThat(chunk.bytes()).isEmpty();
        assertThat(chunk.exists()).isFalse();
        assertThat(chunk.complete()).isFalse();
    }
}
