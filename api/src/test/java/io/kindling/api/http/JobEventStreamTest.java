package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The event stream on a real Vert.x server over an in-memory store, with a short heartbeat. */
class JobEventStreamTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final JobViewStore store = new JobViewStore();
    private Vertx vertx;
    private HttpServer server;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route().handler(io.kindling.api.auth.Access.actingAs(io.kindling.api.auth.Principal.ANONYMOUS_ADMIN));
        router.get("/v1/jobs/:id/events").handler(new GetJobEventsHandler(store, Duration.ofMillis(100)))
                .failureHandler(new ErrorResponses(1024));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http = HttpClient.newHttpClient();
        store.apply(JobEvents.job("job-1", JobState.QUEUED, T0).build());
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void sendsHeartbeatsAndLiveEventsAppliedOnAnotherThreadThenEnds() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = open(lines);

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
        CompletableFuture<Void> done = open(lines);
        await().atMost(DEADLINE).until(() -> lines.contains("event: QUEUED"));

        long started = System.nanoTime();
        server.shutdown(5, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        done.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        await().atMost(DEADLINE).until(() -> store.watchedJobs() == 0);
    }

    @Test
    void anUnknownJobIsUnavailableUntilTheViewsHaveCaughtUpThenNotFound() throws Exception {
        assertThat(get("/v1/jobs/nope/events").statusCode()).isEqualTo(503);
        store.markCaughtUp();
        assertThat(get("/v1/jobs/nope/events").statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<Void> open(List<String> lines) throws Exception {
        HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.actualPort() + "/v1/jobs/job-1/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        return CompletableFuture.runAsync(() -> response.body().forEach(lines::add));
    }
}
