package io.kindling.common.management;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management endpoint of a process, on its own port and its own small Vert.x instance (one
 * event loop): {@code GET /metrics} (Prometheus text, scraped off the event loop),
 * {@code GET /health/live} and {@code GET /health/ready} (200 or 503, with each check as JSON).
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Vertx vertx;
    private final HttpServer server;

    private ManagementServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    public static ManagementServer start(ManagementConfig config, PrometheusMeterRegistry registry, Health health) {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2));
        Router router = Router.router(vertx);
        router.route(HttpMethod.GET, "/metrics").handler(ctx -> vertx.executeBlocking(registry::scrape, false)
                .onSuccess(text -> ctx.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(text))
                .onFailure(ctx::fail));
        router.route(HttpMethod.GET, "/health/live").handler(ctx -> respond(ctx, health.live()));
        router.route(HttpMethod.GET, "/health/ready").handler(ctx -> respond(ctx, health.ready()));
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(router)
                    .listen(config.port(), config.host()).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            LOG.info("metrics and health on http://{}:{} (/metrics, /health/live, /health/ready)", config.host(),
                    server.actualPort());
            return new ManagementServer(vertx, server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            vertx.close();
            throw new IllegalStateException("interrupted while starting the management endpoint", e);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port()
                    + " for metrics and health (" + ManagementConfig.PORT.name() + "): " + e.getMessage(), e);
        }
    }

    private static void respond(RoutingContext ctx, Health.Status status) {
        JsonObject body = new JsonObject().put("status", status.ok() ? "UP" : "DOWN");
        JsonObject checks = new JsonObject();
        status.checks().forEach((name, ok) -> checks.put(name, ok ? "UP" : "DOWN"));
        body.put("checks", checks);
        ctx.response().setStatusCode(status.ok() ? 200 : 503).putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    public int port() {
        return server.actualPort();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
