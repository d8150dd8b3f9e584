package io.kindling.api.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /health/live} (operation {@code healthLive}). */
public final class HealthLiveHandler implements Handler<RoutingContext> {
    static final String UP = "{\"status\":\"UP\"}";

    private final Health health;

    public HealthLiveHandler(Health health) {
        this.health = health;
    }

    @Override
    public void handle(RoutingContext ctx) {
        health.notLive().ifPresentOrElse(
                reason -> ctx.fail(new ApiException(ErrorCode.UNAVAILABLE, "not alive: " + reason)),
                () -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(UP));
    }
}
