package io.kindling.api.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/sessions/{id}} (operation {@code getSession}): the session's view, from its job's. */
public final class GetSessionHandler implements Handler<RoutingContext> {
    private final SessionLookup sessions;

    GetSessionHandler(SessionLookup sessions) {
        this.sessions = sessions;
    }

    @Override
    public void handle(RoutingContext ctx) {
        try {
            sessions.send(ctx, 200, sessions.find(ctx, ctx.pathParam("id")));
        } catch (ApiException e) {
            ctx.fail(e);
        }
    }
}
