package io.kindling.api.http;

import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(WatchJobsHandler.class);

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
        Stream stream = new Stream(ctx.vertx(), ctx.response());
        ctx.request().connection().shutdownHandler(v -> stream.finish(true));
        stream.start(heartbeat);
        stream.watch = views.watchViews(view -> {
            if (tenants == null || tenants.contains(view.tenant() == null ? JobSpec.DEFAULT_TENANT : view.tenant())) {
                String text = "event: job\ndata: " + Json.encodeToString(view) + "\n\n";
                context.runOnContext(v -> stream.write(text));
            }
        });
        if (stream.done) {
            stream.watch.close();
        }
    }

    /** One client's stream; every method runs on the request's context. */
    private static final class Stream {
        private final Vertx vertx;
        private final HttpServerResponse response;
        private volatile JobViewStore.ViewWatch watch;
        private long timer = -1;
        private boolean done;

        Stream(Vertx vertx, HttpServerResponse response) {
            this.vertx = vertx;
            this.response = response;
        }

        void start(Duration every) {
            response.closeHandler(v -> finish(false));
            response.exceptionHandler(e -> {
                LOG.debug("jobs stream failed: {}", e.toString());
                finish(false);
            });
            response.setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-store")
                    .putHeader("X-Accel-Buffering", "no");
            write(": kindling job views\n\n");
            if (!done) {
                timer = vertx.setPeriodic(every.toMillis(), t -> write(": heartbeat\n\n"));
            }
        }

        void write(String text) {
            if (done) {
                return;
            }
            if (response.closed()) {
                finish(false);
                return;
            }
            response.write(text);
            if (response.writeQueueFull()) {
                LOG.debug("jobs stream client is not reading; closing");
                response.reset();
                finish(false);
            }
        }

        void finish(boolean endResponse) {
            if (done) {
                return;
            }
            done = true;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            JobViewStore.ViewWatch held = watch;
            if (held != null) {
                held.close();
            }
            if (endResponse && !response.ended() && !response.closed()) {
                response.end();
            }
        }
    }
}
