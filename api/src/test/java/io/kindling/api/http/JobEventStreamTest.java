package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event stream on a real Vert.x server over an in-memory store, with a short heartbeat. */
class JobEventStreamTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final JobViewStore store = new JobViewStore();
    private StreamRouteServer server;

    @BeforeEach
    void start() throws Exception {
        server = StreamRouteServer.serving("/v1/jobs/:id/events", new GetJobEventsHandler(store, Duration.ofMillis(100)));
        store.apply(JobEvents.job("job-1", JobState.QUEUED, T0).build());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void sendsHeartbeatsAndLiveEventsAppliedOnAnotherThreadThenEnds() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = server.open("/v1/jobs/job-1/events", lines);

        await().atMost(DEADLINE).until(() -> lines.stream().filter(": heartbeat"::equals).count() >= 2);
        assertThat(lines).contains("id: 0", "event: QUEUED");

        // applied on this (foreign) thread, as the events follower would
        store.apply(JobEvents.job("job-1", JobState.CANCELLED, T0.plusSeconds(1)).build());
        done.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(lines).contains("id: 1", "event: CANCELLED");
        assertThat(store.watchedJobs()).isZero();
    }

    @Test
    void serverShutdownEndsTheStream() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = server.open("/v1/jobs/job-1/events", lines);
        await().atMost(DEADLINE).until(() -> lines.contains("event: QUEUED"));

        long started = System.nanoTime();
        server.shutdown();
        done.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        await().atMost(DEADLINE).until(() -> store.watchedJobs() == 0);
    }

    @Test
    void anUnknownJobIsUnavailableUntilTheViewsHaveCaughtUpThenNotFound() throws Exception {
        assertThat(server.get("/v1/jobs/nope/events").statusCode()).isEqualTo(503);
        store.markCaughtUp();
        assertThat(server.get("/v1/jobs/nope/events").statusCode()).isEqualTo(404);
    }
}
