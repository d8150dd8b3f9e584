package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.api.view.JobViewStore;
import io.kindling.common.pools.PoolsFile;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/queues} on a real Vert.x server over an in-memory store. */
class GetQueuesHandlerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final JobViewStore store = new JobViewStore();
    private Vertx vertx;

    @AfterEach
    void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void job(String id, String pool, String tenant, int priority, int second, JobState... states) {
        JobSpec spec = new JobSpec(id, pool, new Application(ApplicationType.PYTHON, "/app/x.py", null, List.of()), null, null,
                Map.of(), null, null, null, null, null, null, null, priority, null);
        Instant at = T0.plusSeconds(second);
        store.apply(JobEvents.job(id, JobState.QUEUED, at).spec(spec).pool(pool).tenant(tenant).submittedAt(at).build());
        for (JobState state : states) {
            store.apply(JobEvents.job(id, state, at.plusMillis(1)).attempt(1).build());
        }
    }

    private JsonObject get(Set<String> visible) throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        PoolsFile pools = PoolsFile.parse("pools:\n  gpu: {maxRunning: 2, maxRunningPerTenant: 1}\n  idle: {}\n", "test");
        router.get("/v1/queues").handler(new GetQueuesHandler(store, pools, ctx -> visible));
        int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/queues")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            return new JsonObject(res.body());
        }
    }

    private static JsonObject pool(JsonObject body, String name) {
        return body.getJsonArray("pools").stream().map(JsonObject.class::cast)
                .filter(p -> p.getString("pool").equals(name)).findFirst().orElseThrow();
    }

    @Test
    void listsQueuedJobsInDispatchOrderWithRunningAgainstTheLimits() throws Exception {
        job("run-a", "gpu", "acme", 0, 0, JobState.DISPATCHED, JobState.SUBMITTING, JobState.RUNNING);
        job("low", "gpu", "acme", 0, 1);
        job("high", "gpu", "beta", 7, 2);
        job("mid", "gpu", "acme", 3, 3);
        job("done", "gpu", "acme", 0, 4, JobState.DISPATCHED, JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);

        JsonObject gpu = pool(get(null), "gpu");
        assertThat(gpu.getInteger("running")).isEqualTo(1);
        assertThat(gpu.getInteger("maxRunning")).isEqualTo(2);
        assertThat(gpu.getInteger("queuedTotal")).isEqualTo(3);
        JsonArray queued = gpu.getJsonArray("queued");
        assertThat(queued.stream().map(o -> ((JsonObject) o).getString("id"))).containsExactly("high", "mid", "low");
        assertThat(queued.stream().map(o -> ((JsonObject) o).getInteger("position"))).containsExactly(1, 2, 3);
        assertThat(queued.getJsonObject(0).getInteger("priority")).isEqualTo(7);
        JsonObject acme = gpu.getJsonArray("tenants").getJsonObject(0);
        assertThat(acme.getString("tenant")).isEqualTo("acme");
        assertThat(acme.getInteger("running")).isEqualTo(1);
        assertThat(acme.getInteger("queued")).isEqualTo(2);
        assertThat(acme.getInteger("limit")).isEqualTo(1);
    }

    @Test
    void showsConfiguredPoolsWithNothingInThem() throws Exception {
        JsonObject idle = pool(get(null), "idle");
        assertThat(idle.getInteger("running")).isZero();
        assertThat(idle.getValue("maxRunning")).isNull();
        assertThat(idle.getJsonArray("queued")).isEmpty();
    }

    @Test
    void listsOnlyTheCallersTenantsJobs() throws Exception {
        job("theirs-running", "gpu", "beta", 0, 0, JobState.DISPATCHED);
        job("theirs", "gpu", "beta", 5, 1);
        job("mine", "gpu", "acme", 0, 2);

        JsonObject gpu = pool(get(Set.of("acme")), "gpu");
        assertThat(gpu.encode()).doesNotContain("theirs").doesNotContain("beta");
        assertThat(gpu.getJsonArray("queued").stream().map(o -> ((JsonObject) o).getString("id"))).containsExactly("mine");
        assertThat(gpu.getInteger("running")).isEqualTo(1); // the pool's slots are shared
    }
}
