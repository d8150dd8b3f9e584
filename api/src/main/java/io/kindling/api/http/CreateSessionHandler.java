package io.kindling.api.http;

import io.kindling.api.sessions.SessionSpecs;
import io.kindling.api.sessions.SessionView;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Json;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code POST /v1/sessions} (operation {@code createSession}): the body checked by
 * {@link RequestContract} against the document's {@code SessionRequest}, made a job spec by
 * {@link SessionSpecs} and submitted exactly like a job ({@link SubmitJobHandler#submit}: the same
 * reader, tenancy, known pools, size limit, idempotency key); answers 201 with the session's view
 * (200 with {@value SubmitJobHandler#REPLAY} for an earlier request with the same idempotency key).
 */
public final class CreateSessionHandler implements Handler<RoutingContext> {
    private final SubmitJobHandler submitter;
    private final Function<String, String> connectUrl;

    CreateSessionHandler(SubmitJobHandler submitter, Function<String, String> connectUrl) {
        this.submitter = submitter;
        this.connectUrl = connectUrl;
    }

    @Override
    public void handle(RoutingContext ctx) {
        JsonObject request = ValidRequest.of(ctx).object();
        JsonObject given = request == null ? new JsonObject() : request;
        if (given.getValue("labels") instanceof JsonObject labels) {
            Map<String, String> keys = new HashMap<>();
            labels.fieldNames().forEach(key -> keys.put(key, ""));
            SessionSpecs.reservedLabel(keys).ifPresent(key -> {
                throw SubmitJobHandler.reservedLabel(key);
            });
        }
        submitter.submit(ctx, SessionSpecs.jobSpec(given), spec -> spec)
                .onSuccess(outcome -> send(ctx, outcome, submitter.spec(outcome.view().id())))
                .onFailure(ctx::fail);
    }

    private void send(RoutingContext ctx, SubmitJobHandler.Outcome outcome, java.util.Optional<JobSpec> spec) {
        if (outcome.replay()) {
            ctx.response().putHeader(SubmitJobHandler.REPLAY, "true");
        }
        ctx.response()
                .setStatusCode(outcome.replay() ? 200 : 201)
                .putHeader(HttpHeaders.LOCATION, "/v1/sessions/" + outcome.view().id())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(SessionView.of(outcome.view(), spec, connectUrl)));
    }
}
