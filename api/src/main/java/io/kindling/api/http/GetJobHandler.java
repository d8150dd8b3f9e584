package io.kindling.api.http;

import io.kindling.api.auth.Access;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /v1/jobs/{id}} (operation {@code getJob}): the job's view, from memory, with its queue position. */
public final class GetJobHandler implements Handler<RoutingContext> {
    private final JobViewStore views;

    public GetJobHandler(JobViewStore views) {
        this.views = views;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        views.find(id).filter(view -> visible(ctx, view)).ifPresentOrElse(view -> send(ctx, view),
                () -> ctx.fail(notFound(id)));
    }

    /** True if the request's principal may see the job (else the denial is logged and the job is answered 404). */
    static boolean visible(RoutingContext ctx, JobView view) {
        return Access.canSee(ctx, GetJobLogsHandler.tenant(view), view.id());
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("job '" + id + "' not found");
    }

    private static void send(RoutingContext ctx, JobView view) {
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(view));
    }
}
