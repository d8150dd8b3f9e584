package io.kindling.api.http;

import io.kindling.api.CommandPublisher;
import io.kindling.api.auth.Access;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /v1/jobs/{id}/cancel} (operation {@code cancelJob}), with an optional body
 * {@code {"reason": "..."}} (checked against the document's {@code CancelRequest} by {@link RequestContract}). An unknown job is 404. A job that has ended is answered 200 with its
 * view and nothing is published. Otherwise a {@link CancelJob} is published on the commands topic,
 * keyed by the job id, and once the broker has acknowledged it the answer is 202 with the job's
 * view as it stands: the dispatcher decides, and the view turns CANCELLED when it has.
 */
public final class CancelJobHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(CancelJobHandler.class);

    private final CommandPublisher publisher;
    private final JobViewStore views;
    private final Clock clock;

    public CancelJobHandler(CommandPublisher publisher, JobViewStore views, Clock clock) {
        this.publisher = publisher;
        this.views = views;
        this.clock = clock;
    }

    /** The answer: its status and the job's view. */
    record Outcome(int status, JobView view) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        ValidRequest request = ValidRequest.of(ctx);
        String id = request.string("id");
        JsonObject body = request.object();
        String reason = body == null ? null : body.getString("reason");
        Future.succeededFuture()
                .compose(v -> cancel(ctx, context, id, reason))
                .onSuccess(outcome -> ctx.response()
                        .setStatusCode(outcome.status())
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(Json.encodeToString(outcome.view())))
                .onFailure(ctx::fail);
    }

    /** Cancels job {@code id} for the request {@code ctx} ({@code reason} may be null). */
    Future<Outcome> cancel(RoutingContext ctx, Context context, String id, String reason) {
        Optional<JobView> found = views.find(id);
        if (found.isPresent() && !GetJobHandler.visible(ctx, found.get())) {
            throw GetJobHandler.notFound(id);
        }
        JobView view = found.orElseThrow(() -> ApiException.unknownJob(id, views.caughtUp()));
        if (view.state().terminal()) {
            return Future.succeededFuture(new Outcome(200, view));
        }
        return publisher.publish(context, new CancelJob(id, reason, clock.instant(), Access.principal(ctx).name()),
                HttpTracing.context(ctx))
                .map(metadata -> {
                    try (MDC.MDCCloseable job = MDC.putCloseable("jobId", id)) {
                        LOG.info("cancel requested (state {}){}", view.state(), reason == null ? "" : ": " + reason);
                    }
                    return new Outcome(202, views.find(id).orElse(view));
                })
                .recover(e -> {
                    try (MDC.MDCCloseable job = MDC.putCloseable("jobId", id)) {
                        LOG.warn("cancel not acknowledged by Kafka: {}", e.toString());
                    }
                    return Future.failedFuture(new ApiException(ErrorCode.UNAVAILABLE,
                            "Kafka did not acknowledge the cancel of job " + id + " in time; it may still apply: retry", e));
                });
    }
}
