package io.kindling.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.api.CommandPublisher;
import io.kindling.api.auth.Access;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.kindling.schemas.Violation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /v1/jobs/{id}/cancel} (operation {@code cancelJob}), with an optional body
 * {@code {"reason": "..."}}. An unknown job is 404. A job that has ended is answered 200 with its
 * view and nothing is published. Otherwise a {@link CancelJob} is published on the commands topic,
 * keyed by the job id, and once the broker has acknowledged it the answer is 202 with the job's
 * view as it stands: the dispatcher decides, and the view turns CANCELLED when it has.
 */
public final class CancelJobHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(CancelJobHandler.class);
    /** The longest reason the cancel-job schema allows. */
    static final int MAX_REASON = (int) ApiContract.propertyLimit("CancelRequest", "reason", "maxLength");

    private final CommandPublisher publisher;
    private final JobViewStore views;
    private final Clock clock;

    public CancelJobHandler(CommandPublisher publisher, JobViewStore views, Clock clock) {
        this.publisher = publisher;
        this.views = views;
        this.clock = clock;
    }

    /** The answer: its status and the job's view. */
    private record Outcome(int status, JobView view) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        String id = ctx.pathParam("id");
        Buffer body = ctx.body().buffer();
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        Future.succeededFuture(id)
                .map(CancelJobHandler::requireJobId)
                .compose(v -> body == null || body.length() == 0 ? Future.succeededFuture()
                        : SubmitJobHandler.requireJson(contentType))
                .map(v -> reason(body))
                .compose(reason -> cancel(ctx, context, id, reason))
                .onSuccess(outcome -> ctx.response()
                        .setStatusCode(outcome.status())
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(Json.encodeToString(outcome.view())))
                .onFailure(ctx::fail);
    }

    private Future<Outcome> cancel(RoutingContext ctx, Context context, String id, String reason) {
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

    static String requireJobId(String id) {
        if (id == null || !JobIdGenerator.PATTERN.matcher(id).matches()) {
            throw ApiException.invalidParameter("id", "must match " + JobIdGenerator.PATTERN.pattern());
        }
        return id;
    }

    /** The reason in an optional body {@code {"reason": "..."}}; null when there is none. */
    static String reason(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject()) {
            throw violation(ErrorCode.SCHEMA_VIOLATION, "$", "must be an object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!"reason".equals(name)) {
                throw violation(ErrorCode.UNKNOWN_FIELD, "$." + name, "unknown field '" + name + "'");
            }
        }
        JsonNode reason = node.get("reason");
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual()) {
            throw violation(ErrorCode.SCHEMA_VIOLATION, "$.reason", "must be a string");
        }
        if (reason.asText().length() > MAX_REASON) {
            throw violation(ErrorCode.SCHEMA_VIOLATION, "$.reason", "must be at most " + MAX_REASON + " characters");
        }
        return reason.asText();
    }

    private static ApiException violation(ErrorCode code, String field, String problem) {
        return new ApiException(code, field + ": " + problem, List.of(new Violation(field, problem)));
    }
}
