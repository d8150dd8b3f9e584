package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
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

/** The list-wide stream on a real Vert.x server over an in-memory store, with a short heartbeat. */
class WatchJobsHandlerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String PATH = "/v1/watch/jobs";
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final JobViewStore store = new JobViewStore();
    private StreamRouteServer server;

    @BeforeEach
    void start() throws Exception {
        server = StreamRouteServer.serving(PATH, new WatchJobsHandler(store, Duration.ofMillis(100)));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void sendsHeartbeatsAndEachChangedViewOfTheNamedTenantAppliedOnAnotherThread() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        server.open(PATH + "?tenant=acme", lines);
        await().atMost(DEADLINE).until(() -> lines.stream().filter(": heartbeat"::equals).count() >= 2);
        assertThat(store.viewWatchers()).isEqualTo(1);

        // applied on this (foreign) thread, as the events follower would
        store.apply(JobEvents.job("other-1", JobState.QUEUED, T0).spec(spec("globex")).submittedAt(T0).build());
        store.apply(JobEvents.job("job-1", JobState.QUEUED, T0).spec(spec("acme")).submittedAt(T0).build());
        store.apply(JobEvents.job("job-1", JobState.CANCELLED, T0.plusSeconds(1)).build());
        await().atMost(DEADLINE).until(() -> lines.stream().anyMatch(l -> l.contains("\"CANCELLED\"")));

        List<String> data = lines.stream().filter(l -> l.startsWith("data: ")).toList();
        assertThat(data).hasSize(2).allSatisfy(l -> assertThat(l).contains("\"id\":\"job-1\"", "\"tenant\":\"acme\""));
        assertThat(data.get(0)).contains("\"state\":\"QUEUED\"", "\"queuePosition\":1");
        assertThat(lines.stream().filter("event: job"::equals).count()).isEqualTo(2);
        assertThat(String.join("\n", lines)).doesNotContain("other-1");
    }

    @Test
    void serverShutdownEndsTheStreamAndItsWatcher() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = server.open(PATH, lines);
        await().atMost(DEADLINE).until(() -> lines.contains(": kindling job views"));

        long started = System.nanoTime();
        server.shutdown();
        done.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        await().atMost(DEADLINE).until(() -> store.viewWatchers() == 0);
    }

    @Test
    void aTenantGivenTwiceOrEmptyIsABadRequest() throws Exception {
        assertThat(server.get(PATH + "?tenant=a&tenant=b").statusCode()).isEqualTo(400);
        assertThat(server.get(PATH + "?tenant=").statusCode()).isEqualTo(400);
        assertThat(store.viewWatchers()).isZero();
    }

    private static JobSpec spec(String tenant) {
        return new JobSpec("pi", null, new Application(ApplicationType.PYTHON, "/app/pi.py", null, List.of()), null, null,
                null, null, null, null, null, null, null, null, null, null).withTenant(tenant);
    }
}
