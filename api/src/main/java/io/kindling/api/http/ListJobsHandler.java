package io.kindling.api.http;

import io.kindling.api.auth.Access;
import io.kindling.api.auth.Principal;
import io.kindling.api.view.JobPage;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.Json;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code GET /v1/jobs} (operation {@code listJobs}): the views that match the query
 * ({@link ListJobsQuery}), newest first, a page at a time: {@code {"items": [...], "nextCursor": ...}},
 * where {@code nextCursor} is null on the last page. Served from memory. Only the jobs of the
 * principal's tenants are listed (of every tenant for an admin); {@code tenant=<t>} narrows to one.
 */
public final class ListJobsHandler implements Handler<RoutingContext> {
    private final JobViewStore views;

    public ListJobsHandler(JobViewStore views) {
        this.views = views;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ListJobsQuery query = ListJobsQuery.from(ValidRequest.of(ctx));
        JobPage page = views.list(query.filter().withTenants(tenants(ctx, query.tenant())), query.cursor(), query.limit());
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(page));
    }

    /**
     * The tenants listed: the one named by the {@code tenant} parameter (it must be the principal's,
     * else 403), else all the principal's (every tenant for an admin: null).
     */
    static Set<String> tenants(RoutingContext ctx, String named) {
        Principal principal = Access.principal(ctx);
        if (named != null) {
            return Set.of(Access.tenantFor(ctx, named, "tenant"));
        }
        return principal.admin() ? null : principal.tenants();
    }
}
