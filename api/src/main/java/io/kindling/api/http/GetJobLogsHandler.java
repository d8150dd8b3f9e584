package io.kindling.api.http;

import io.kindling.api.IoExecutor;
import io.kindling.api.logs.LogReader;
import io.kindling.api.view.JobViewStore;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.AttemptView;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobView;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/jobs/{id}/logs/{stream}} (operation {@code getJobLogs}): up to {@code limit}
 * bytes of an attempt's driver stdout or stderr from {@code offset} (or from the start of its
 * last {@code tail} lines), read from the blob store on the {@link IoExecutor}. Headers say where
 * the bytes start ({@value #OFFSET}), where to continue ({@value #NEXT_OFFSET}), which attempt was
 * read ({@value #ATTEMPT}) and whether the log is complete ({@value #COMPLETE}: the attempt's index
 * says it ended and every byte has been returned). A log that has no blob yet reads as empty, as
 * long as the job and the attempt exist. With {@code follow=true} the request is handed to
 * {@link FollowLogsHandler}, which streams the bytes as they arrive.
 */
public final class GetJobLogsHandler implements Handler<RoutingContext> {
    public static final String OFFSET = "Kindling-Offset";
    public static final String NEXT_OFFSET = "Kindling-Next-Offset";
    public static final String ATTEMPT = "Kindling-Attempt";
    public static final String COMPLETE = "Kindling-Log-Complete";
    // the limits are the document's (openapi.yaml), which the route's validator enforces
    /** The largest {@code tail} the contract allows; {@code KINDLING_MAX_TAIL_LINES} may lower it. */
    public static final int MAX_TAIL_LINES = (int) ApiContract.parameterLimit("getJobLogs", "tail", "maximum");

    private final JobViewStore views;
    private final LogReader reader;
    private final IoExecutor io;
    private final FollowLogsHandler follow;
    private final int maxTail;

    public GetJobLogsHandler(JobViewStore views, LogReader reader, IoExecutor io, FollowLogsHandler follow) {
        this(views, reader, io, follow, MAX_TAIL_LINES);
    }

    /** @param maxTail the largest {@code tail} accepted ({@code KINDLING_MAX_TAIL_LINES}) */
    public GetJobLogsHandler(JobViewStore views, LogReader reader, IoExecutor io, FollowLogsHandler follow, int maxTail) {
        this.maxTail = maxTail;
        this.views = views;
        this.reader = reader;
        this.io = io;
        this.follow = follow;
    }

    /**
     * What was asked for.
     *
     * @param attempt the attempt number asked for, or null for the latest
     * @param tail    the number of last lines asked for, or null to read from offset
     */
    record LogQuery(String jobId, LogStream stream, Integer attempt, long offset, int limit, Integer tail,
            boolean follow) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        LogQuery query;
        try {
            query = query(ctx);
            if (query.tail() != null && query.tail() > maxTail) {
                throw ApiException.invalidParameter("tail", "must be at most " + maxTail
                        + " lines (KINDLING_MAX_TAIL_LINES); read older bytes with offset and limit");
            }
        } catch (ApiException e) {
            ctx.fail(e);
            return;
        }
        if (views.get(query.jobId()).filter(view -> !GetJobHandler.visible(ctx, view)).isPresent()) {
            ctx.fail(GetJobHandler.notFound(query.jobId()));
            return;
        }
        if (query.follow()) {
            follow.follow(ctx, query);
            return;
        }
        Context context = ctx.vertx().getOrCreateContext();
        Future.succeededFuture(query)
                .map(this::resolve)
                .compose(target -> io.call(context, () -> query.tail() != null
                        ? reader.tail(target, query.tail(), query.limit())
                        : reader.read(target, query.offset(), query.limit()))
                        .onSuccess(chunk -> send(ctx, target.attempt(), chunk)))
                .onFailure(ctx::fail);
    }

    /** The query as {@link RequestContract} checked it (types, ranges, defaults: the document's). */
    static LogQuery query(RoutingContext ctx) {
        ValidRequest request = ValidRequest.of(ctx);
        if (request.isGiven("tail") && request.isGiven("offset")) {
            throw ApiException.invalidParameter("tail", "cannot be combined with offset");
        }
        String streamName = request.string("stream");
        LogStream stream = LogStream.parse(streamName)
                .orElseThrow(() -> ApiException.invalidParameter("stream", "must be stdout or stderr, was '" + streamName + "'"));
        Long attempt = request.integer("attempt");
        Long tail = request.integer("tail");
        return new LogQuery(request.string("id"), stream, attempt == null ? null : attempt.intValue(),
                request.integer("offset"), request.integer("limit").intValue(), tail == null ? null : tail.intValue(),
                request.flag("follow"));
    }

    /** The stream of the attempt the query names (or the latest); 404 if the job or the attempt does not exist. */
    LogReader.Target resolve(LogQuery query) {
        JobView view = views.get(query.jobId()).orElseThrow(() -> GetJobHandler.notFound(query.jobId()));
        AttemptView attempt = view.attempt(query.attempt()).orElseThrow(() -> ApiException.notFound(query.attempt() == null
                ? "job '" + query.jobId() + "' has no attempt yet"
                : "job '" + query.jobId() + "' has no attempt " + query.attempt()));
        return target(view, query, attempt);
    }

    static LogReader.Target target(JobView view, LogQuery query, AttemptView attempt) {
        return new LogReader.Target(tenant(view), view.id(), attempt.number(), query.stream());
    }

    static String tenant(JobView view) {
        return view.tenant() != null ? view.tenant() : JobSpec.DEFAULT_TENANT;
    }

    private static void send(RoutingContext ctx, int attempt, LogReader.Chunk chunk) {
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader(OFFSET, Long.toString(chunk.offset()))
                .putHeader(NEXT_OFFSET, Long.toString(chunk.nextOffset()))
                .putHeader(ATTEMPT, Integer.toString(attempt))
                .putHeader(COMPLETE, Boolean.toString(chunk.complete()))
                .end(Buffer.buffer(chunk.bytes()));
    }
}
