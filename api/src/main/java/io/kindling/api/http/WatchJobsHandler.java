package io.kindling.api.http;

import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /v1/watch/jobs} (operation {@code watchJobs}): every change of a job view the caller
 * may see, as Server-Sent Events ({@code text/event-stream}): {@code event: job}, {@code data} the
 * job's view as {@code getJob} serves it. Only the jobs of the principal's tenants are sent (every
 * tenant's for an admin); {@code tenant=<t>} narrows to one (403 if it is not the caller's). Nothing
 * is replayed: a client lists first ({@code listJobs}) then applies the changes. It rides on the
 * store's list-wide watcher ({@link JobViewStore#watchViews}): each change is one view matched
 * against the caller's tenants, never a listing. A comment is sent every {@link GetJobEventsHandler#HEARTBEAT};
 * the stream ends on server shutdown or when the client goes away; a client that does not read
 * (its write queue is full) is cut off and should list again when it reconnects.
 */
public final class WatchJobsHandler implements Handler<RoutingContext> {
    private final JobViewStore views;
    private final Duration heartbeat;

    public WatchJobsHandler(JobViewStore views, Duration heartbeat) {
        this.views = views;
        this.heartbeat = heartbeat;
    }

    public WatchJobsHandler(JobViewStore views) {
        this(views, GetJobEventsHandler.HEARTBEAT);
    }

    @Override
    public void handle(RoutingContext ctx) {
        List<String> named = ctx.queryParams().getAll("tenant");
        if (named.size() > 1) {
            throw ApiException.invalidParameter("tenant", "must be given once");
        }
        if (!named.isEmpty() && named.get(0).isEmpty()) {
            throw ApiException.invalidParameter("tenant", "must not be empty");
        }
        Set<String> tenants = ListJobsHandler.tenants(ctx, named.isEmpty() ? null : named.get(0));
        Context context = ctx.vertx().getOrCreateContext();
        SseWriter sse = new SseWriter(ctx.vertx(), ctx.response(), "job views");
        ctx.request().connection().shutdownHandler(v -> sse.finish(true));
        sse.start(heartbeat);
        if (sse.done()) {
            return;
        }
        JobViewStore.ViewWatch watch = views.watchViews(view -> {
            if (tenants == null || tenants.contains(view.tenant() == null ? JobSpec.DEFAULT_TENANT : view.tenant())) {
                String data = Json.encodeToString(view);
                context.runOnContext(v -> sse.event(null, "job", data));
            }
        });
        sse.onFinish(watch::close);
    }
}
