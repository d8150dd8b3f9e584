package io.kindling.api.http;

import io.kindling.api.CommandPublisher;
import io.kindling.api.IoExecutor;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.JobViews;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Violation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /v1/jobs} (operation {@code submitJob}): validates the body with the same
 * {@link MessageReader} the dispatcher uses for Kafka records, publishes a {@link SubmitJob} on
 * the commands topic, waits for the broker's acknowledgement, and answers 202 with the job's view.
 */
public final class SubmitJobHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(SubmitJobHandler.class);
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_IDEMPOTENCY_KEY = 200;
    private static final Pattern JSON_MEDIA_TYPE = Pattern.compile("application/([a-z0-9.+-]+\\+)?json");

    private final MessageReader reader;
    private final CommandPublisher publisher;
    private final JobViewStore views;
    private final IoExecutor io;
    private final JobIdGenerator ids;
    private final Clock clock;

    public SubmitJobHandler(MessageReader reader, CommandPublisher publisher, JobViewStore views, IoExecutor io,
            JobIdGenerator ids, Clock clock) {
        this.reader = reader;
        this.publisher = publisher;
        this.views = views;
        this.io = io;
        this.ids = ids;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        byte[] body = Optional.ofNullable(ctx.body().buffer()).map(Buffer::getBytes).orElse(new byte[0]);
        String headerKey = ctx.request().getHeader(IDEMPOTENCY_KEY);
        requireJson(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))
                .compose(v -> io.call(context, () -> reader.readJobSpec(body)))
                .map(spec -> withIdempotencyKey(spec, headerKey))
                .map(spec -> new SubmitJob(ids.next(), spec, clock.instant()))
                .compose(command -> publish(context, command))
                .map(this::remember)
                .onSuccess(view -> accepted(ctx, view))
                .onFailure(ctx::fail);
    }

    static Future<Void> requireJson(String contentType) {
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (JSON_MEDIA_TYPE.matcher(mediaType).matches()) {
            return Future.succeededFuture();
        }
        return Future.failedFuture(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be application/json, was " + (contentType == null ? "missing" : "'" + contentType + "'")));
    }

    /** The spec with the {@code Idempotency-Key} header as its key; the header and the field must agree. */
    static JobSpec withIdempotencyKey(JobSpec spec, String headerKey) {
        if (headerKey == null) {
            return spec;
        }
        if (headerKey.isEmpty() || headerKey.length() > MAX_IDEMPOTENCY_KEY) {
            throw ApiException.invalidParameter(IDEMPOTENCY_KEY, "must be 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        if (spec.idempotencyKey() != null) {
            if (!spec.idempotencyKey().equals(headerKey)) {
                String problem = "differs from the " + IDEMPOTENCY_KEY + " header";
                throw new ApiException(ErrorCode.INVALID, "$.idempotencyKey: " + problem,
                        List.of(new Violation("$.idempotencyKey", problem)));
            }
            return spec;
        }
        return new JobSpec(spec.name(), spec.pool(), spec.application(), spec.conf(), headerKey, spec.labels(),
                spec.pyFiles(), spec.jars(), spec.files(), spec.archives(), spec.packages(), spec.env(),
                spec.timeoutSeconds(), spec.priority(), spec.retry());
    }

    private Future<SubmitJob> publish(Context context, SubmitJob command) {
        return publisher.publish(context, command)
                .map(metadata -> command)
                .recover(e -> {
                    try (MDC.MDCCloseable job = MDC.putCloseable("jobId", command.jobId())) {
                        LOG.warn("submission not acknowledged by Kafka: {}", e.toString());
                    }
                    return Future.failedFuture(new ApiException(ErrorCode.UNAVAILABLE,
                            "Kafka did not acknowledge job " + command.jobId() + " in time; it may still run: check GET /v1/jobs/"
                                    + command.jobId() + " before submitting again", e));
                });
    }

    /** The view a job has before its first event: what the QUEUED event will make of it. */
    private JobView remember(SubmitJob command) {
        Instant at = command.submittedAt();
        JobView view = JobViews.apply(Optional.empty(),
                JobEvents.job(command.jobId(), JobState.QUEUED, at).spec(command.spec()).submittedAt(at).build());
        views.putProvisional(view);
        try (MDC.MDCCloseable job = MDC.putCloseable("jobId", command.jobId())) {
            LOG.info("accepted job (pool {}, tenant {})", view.pool(), view.tenant());
        }
        return views.get(command.jobId()).orElse(view);
    }

    private static void accepted(RoutingContext ctx, JobView view) {
        ctx.response()
                .setStatusCode(202)
                .putHeader(HttpHeaders.LOCATION, "/v1/jobs/" + view.id())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(view));
    }
}
