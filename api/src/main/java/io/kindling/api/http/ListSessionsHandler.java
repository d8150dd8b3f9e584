package io.kindling.api.http;

import io.kindling.api.sessions.SessionSpecs;
import io.kindling.api.sessions.SessionView;
import io.kindling.api.view.JobFilter;
import io.kindling.api.view.JobPage;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.Json;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/sessions} (operation {@code listSessions}): the caller's tenants' sessions (every
 * tenant's for an admin; {@code tenant} narrows to one, {@code pool} to one pool), newest first,
 * paged like jobs ({@code limit}, {@code cursor}, {@code nextCursor}).
 */
public final class ListSessionsHandler implements Handler<RoutingContext> {
    private final JobViewStore views;
    private final SessionLookup sessions;

    ListSessionsHandler(JobViewStore views, SessionLookup sessions) {
        this.views = views;
        this.sessions = sessions;
    }

    /** One page of sessions. */
    record SessionPage(List<SessionView> items,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS)
            String nextCursor) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        ValidRequest query = ValidRequest.of(ctx);
        String cursor = query.string("cursor");
        String pool = query.string("pool");
        JobFilter filter = new JobFilter(Set.of(), pool == null || pool.isEmpty() ? null : pool,
                Map.of(SessionSpecs.SESSION_LABEL, "true"), null, null)
                .withTenants(ListJobsHandler.tenants(ctx, query.string("tenant")));
        JobPage page = views.list(filter, cursor == null || cursor.isEmpty() ? null : ListJobsQuery.cursor(cursor),
                query.integer("limit").intValue());
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(new SessionPage(page.items().stream().map(sessions::session).toList(),
                        page.nextCursor())));
    }
}
