package io.kindling.api.http;

import io.kindling.api.view.JobPage;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.Json;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/jobs} (operation {@code listJobs}): the views that match the query
 * ({@link ListJobsQuery}), newest first, a page at a time: {@code {"items": [...], "nextCursor": ...}},
 * where {@code nextCursor} is null on the last page. Served from memory.
 */
public final class ListJobsHandler implements Handler<RoutingContext> {
    private final JobViewStore views;

    public ListJobsHandler(JobViewStore views) {
        this.views = views;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ListJobsQuery query = ListJobsQuery.parse(ctx.queryParams());
        JobPage page = views.list(query.filter(), query.cursor(), query.limit());
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(page));
    }
}
