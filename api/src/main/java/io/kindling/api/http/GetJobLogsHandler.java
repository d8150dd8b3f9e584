package io.kindling.api.http;

import io.kindling.api.IoExecutor;
import io.kindling.api.view.JobViewStore;
import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.AttemptView;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /v1/jobs/{id}/logs/{stream}} (operation {@code getJobLogs}): up to {@code limit}
 * bytes of an attempt's driver stdout or stderr from {@code offset}, read from the blob store on
 * the {@link IoExecutor}. Headers say where to continue ({@value #NEXT_OFFSET}), which attempt
 * was read ({@value #ATTEMPT}) and whether the log is complete ({@value #COMPLETE}: the attempt's
 * index says it ended and every byte has been returned). A log that has no blob yet reads as
 * empty, as long as the job and the attempt exist.
 */
public final class GetJobLogsHandler implements Handler<RoutingContext> {
    public static final String NEXT_OFFSET = "Kindling-Next-Offset";
    public static final String ATTEMPT = "Kindling-Attempt";
    public static final String COMPLETE = "Kindling-Log-Complete";
    public static final int DEFAULT_LIMIT = 1024 * 1024;
    public static final int MAX_LIMIT = 4 * 1024 * 1024;

    private final JobViewStore views;
    private final BlobStore blobs;
    private final IoExecutor io;

    public GetJobLogsHandler(JobViewStore views, BlobStore blobs, IoExecutor io) {
        this.views = views;
        this.blobs = blobs;
        this.io = io;
    }

    /** What was asked for, checked against the job's view. */
    record LogRequest(String jobId, String tenant, int attempt, LogStream stream, long offset, int limit) {
    }

    /** What was read. */
    record LogChunk(LogRequest request, byte[] bytes, boolean complete) {
        long nextOffset() {
            return request.offset() + bytes.length;
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        Future.succeededFuture(ctx)
                .map(this::request)
                .compose(request -> io.call(context, () -> read(request)))
                .onSuccess(chunk -> send(ctx, chunk))
                .onFailure(ctx::fail);
    }

    private LogRequest request(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String streamName = ctx.pathParam("stream");
        LogStream stream = LogStream.parse(streamName)
                .orElseThrow(() -> ApiException.invalidParameter("stream", "must be stdout or stderr, was '" + streamName + "'"));
        JobView view = views.get(id).orElseThrow(() -> GetJobHandler.notFound(id));
        Integer wanted = integer(ctx, "attempt", 1, Integer.MAX_VALUE).map(Long::intValue).orElse(null);
        AttemptView attempt = wanted == null
                ? view.latestAttempt().orElseThrow(() -> ApiException.notFound("job '" + id + "' has no attempt yet"))
                : view.attempts().stream().filter(a -> a.number() == wanted).findFirst()
                        .orElseThrow(() -> ApiException.notFound("job '" + id + "' has no attempt " + wanted));
        long offset = integer(ctx, "offset", 0, Long.MAX_VALUE).orElse(0L);
        int limit = integer(ctx, "limit", 1, MAX_LIMIT).map(Long::intValue).orElse(DEFAULT_LIMIT);
        String tenant = view.tenant() != null ? view.tenant() : JobSpec.DEFAULT_TENANT;
        return new LogRequest(id, tenant, attempt.number(), stream, offset, limit);
    }

    private static Optional<Long> integer(RoutingContext ctx, String name, long min, long max) {
        String raw = ctx.queryParams().get(name);
        if (raw == null || raw.isEmpty()) {
            return Optional.empty();
        }
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw ApiException.invalidParameter(name, "must be an integer, was '" + raw + "'");
        }
        if (value < min || value > max) {
            throw ApiException.invalidParameter(name, "must be between " + min + " and " + max + ", was " + value);
        }
        return Optional.of(value);
    }

    /** Blocking: reads the attempt's index and the bytes. */
    LogChunk read(LogRequest r) {
        // the index first: once it says complete, every byte is in the store, so the length read next is final
        boolean ended = blobs.get(LogLayout.index(r.tenant(), r.jobId(), r.attempt()))
                .map(json -> Json.decode(json, LogIndex.class))
                .map(LogIndex::complete)
                .orElse(false);
        String path = LogLayout.stream(r.tenant(), r.jobId(), r.attempt(), r.stream());
        Optional<BlobRead> read = blobs.read(path, r.offset(), r.limit());
        byte[] bytes = read.map(BlobRead::bytes).orElse(new byte[0]);
        long storedLength = read.map(BlobRead::blobLength).orElse(0L);
        return new LogChunk(r, bytes, ended && r.offset() + bytes.length == storedLength);
    }

    private static void send(RoutingContext ctx, LogChunk chunk) {
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .putHeader(NEXT_OFFSET, Long.toString(chunk.nextOffset()))
                .putHeader(ATTEMPT, Integer.toString(chunk.request().attempt()))
                .putHeader(COMPLETE, Boolean.toString(chunk.complete()))
                .end(Buffer.buffer(chunk.bytes()));
    }
}
