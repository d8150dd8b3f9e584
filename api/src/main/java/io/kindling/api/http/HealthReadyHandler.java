package io.kindling.api.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /health/ready} (operation {@code healthReady}): 200 when ready, else 503 with the reason. */
public final class HealthReadyHandler implements Handler<RoutingContext> {
    private final Health health;

    public HealthReadyHandler(Health health) {
        this.health = health;
    }

    @Override
    public void handle(RoutingContext ctx) {
        health.notReady().ifPresentOrElse(
                reason -> ctx.fail(new ApiException(ErrorCode.UNAVAILABLE, "not ready: " + reason)),
                () -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(HealthLiveHandler.UP));
    }
}
