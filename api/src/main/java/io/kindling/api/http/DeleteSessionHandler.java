package io.kindling.api.http;

import io.kindling.api.sessions.SessionStatus;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code DELETE /v1/sessions/{id}} (operation {@code deleteSession}): cancels the session's job
 * with reason {@value SessionStatus#DELETE_CANCEL} through {@link CancelJobHandler} (202 once the
 * broker has the cancel; 200 if the session had already ended); the view turns ENDED, reason DELETED.
 */
public final class DeleteSessionHandler implements Handler<RoutingContext> {
    private final SessionLookup sessions;
    private final CancelJobHandler cancels;

    DeleteSessionHandler(SessionLookup sessions, CancelJobHandler cancels) {
        this.sessions = sessions;
        this.cancels = cancels;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Future.succeededFuture()
                .compose(v -> {
                    sessions.find(ctx, id);
                    return cancels.cancel(ctx, ctx.vertx().getOrCreateContext(), id, SessionStatus.DELETE_CANCEL);
                })
                .onSuccess(outcome -> sessions.send(ctx, outcome.status(), outcome.view()))
                .onFailure(ctx::fail);
    }
}
