package io.kindling.api.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.kindling.api.IoExecutor;
import io.kindling.api.logs.LogReader;
import io.kindling.api.logs.LogTails;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.AttemptView;
import io.kindling.schemas.JobView;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/jobs/{id}/logs/{stream}?follow=true}: streams an attempt's stream as its bytes
 * reach the store, from any offset (or from the start of its last {@code tail} lines), and ends
 * the response once the attempt's index says it is complete and every byte has been sent. It
 * waits for a job that has no attempt yet and for a stream that has no blob yet.
 *
 * <p>At the stream's live edge a follower waits on {@link LogTails}: one reader per followed stream
 * shares each new read among all its followers (a follower behind that reader's window reads the
 * store itself, on the {@link IoExecutor}, until it catches up); everything else runs on the
 * request's context. A slow client is handled with the response's write queue: reading stops
 * while it is full and resumes on drain. A failing store is retried; a client that goes away is
 * dropped at its next wake.
 *
 * <p>Two framings: chunked {@code application/octet-stream} (the raw bytes; a client that
 * reconnects adds the bytes it received to the {@value GetJobLogsHandler#OFFSET} header it got,
 * and asks for that offset), or, when the client accepts {@code text/event-stream}, server-sent
 * events: each event carries whole lines as {@code data:} fields and the offset after them as its
 * {@code id}, so a reconnecting EventSource resumes with {@code Last-Event-ID}; a final
 * {@code event: end} says the stream is complete.
 */
public final class FollowLogsHandler {
    static final long POLL_MILLIS = 200;
    static final int CHUNK_BYTES = 256 * 1024;
    /** A job that ended while its attempt never got an index (no spool was written) ends the follow after this. */
    static final Duration NO_LOG_GRACE = Duration.ofMinutes(2);
    static final String EVENT_STREAM = "text/event-stream";
    private static final Logger LOG = LoggerFactory.getLogger(FollowLogsHandler.class);

    private final JobViewStore views;
    private final LogReader reader;
    private final IoExecutor io;
    private final LogTails tails;

    public FollowLogsHandler(JobViewStore views, LogReader reader, IoExecutor io, LogTails tails) {
        this.views = views;
        this.reader = reader;
        this.io = io;
        this.tails = tails;
    }

    void follow(RoutingContext ctx, GetJobLogsHandler.LogQuery query) {
        if (views.get(query.jobId()).isEmpty()) {
            ctx.fail(GetJobHandler.notFound(query.jobId()));
            return;
        }
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        boolean sse = accept != null && accept.contains(EVENT_STREAM);
        long offset = query.offset();
        String lastEventId = ctx.request().getHeader("Last-Event-ID");
        if (sse && lastEventId != null && lastEventId.matches("\\d{1,18}")) {
            offset = Long.parseLong(lastEventId);
        }
        new Follower(ctx, query, sse, offset).step();
    }

    /** One following request; touched only on its context. */
    private final class Follower {
        private final RoutingContext ctx;
        private final HttpServerResponse response;
        private final Context context;
        private final GetJobLogsHandler.LogQuery query;
        private final boolean sse;
        private LogReader.Target target;
        private long offset;
        /** How far this follower has been shown the stream (beyond {@code offset}: an unfinished line it holds back). */
        private long seen;
        private boolean closed;
        private long endedWithoutLogSince = -1;

        Follower(RoutingContext ctx, GetJobLogsHandler.LogQuery query, boolean sse, long offset) {
            this.ctx = ctx;
            this.response = ctx.response();
            this.context = ctx.vertx().getOrCreateContext();
            this.query = query;
            this.sse = sse;
            this.offset = offset;
            response.closeHandler(v -> closed = true);
            response.exceptionHandler(e -> closed = true);
        }

        void step() {
            if (closed) {
                return;
            }
            if (target == null) {
                resolve();
                return;
            }
            tails.await(target, offset, Math.max(seen, offset), answer -> context.runOnContext(v -> answered(answer)));
        }

        /** The shared reader's answer; none when this follower is behind its window: then it reads the store itself. */
        private void answered(Optional<LogReader.Chunk> answer) {
            if (closed) {
                return;
            }
            if (answer.isPresent()) {
                sent(answer.get());
                return;
            }
            io.call(context, () -> reader.read(target, offset, CHUNK_BYTES)).onComplete(ar -> {
                if (closed) {
                    return;
                }
                if (ar.failed()) {
                    LOG.debug("following {} of job {}: reading failed, retrying: {}", query.stream().fileName(),
                            query.jobId(), ar.cause().toString());
                    later(POLL_MILLIS);
                } else if (ar.result().bytes().length == 0 && !ar.result().complete()) {
                    later(POLL_MILLIS); // nothing where the shared reader had bytes: the store is behind it
                } else {
                    sent(ar.result());
                }
            });
        }

        /** Finds the attempt (waiting for the job's first one), then its start offset. */
        private void resolve() {
            Optional<JobView> view = views.get(query.jobId());
            Optional<AttemptView> attempt = view.flatMap(v -> v.attempt(query.attempt()));
            if (attempt.isEmpty()) {
                if (view.isEmpty() || view.get().state().terminal()) {
                    fail(ApiException.notFound("job '" + query.jobId() + "' ended without attempt "
                            + (query.attempt() == null ? "" : query.attempt())));
                } else {
                    later(POLL_MILLIS);
                }
                return;
            }
            LogReader.Target found = GetJobLogsHandler.target(view.get(), query, attempt.get());
            if (query.tail() == null) {
                start(found);
                return;
            }
            io.call(context, () -> reader.tailOffset(found, query.tail())).onComplete(ar -> {
                if (ar.succeeded()) {
                    offset = ar.result();
                    start(found);
                } else if (!closed) {
                    later(POLL_MILLIS); // the store failed: resolve again
                }
            });
        }

        private void start(LogReader.Target found) {
            if (closed) {
                return;
            }
            target = found;
            response.setChunked(true)
                    .putHeader(HttpHeaders.CONTENT_TYPE, sse ? EVENT_STREAM : "application/octet-stream")
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .putHeader(GetJobLogsHandler.OFFSET, Long.toString(offset))
                    .putHeader(GetJobLogsHandler.ATTEMPT, Integer.toString(found.attempt()))
                    .putHeader("X-Accel-Buffering", "no");
            response.writeHead();
            step();
        }

        private void sent(LogReader.Chunk chunk) {
            int length = sse ? writeEvent(chunk) : writeRaw(chunk);
            seen = chunk.offset() + chunk.bytes().length;
            offset += length;
            if (chunk.complete() && offset >= chunk.blobLength()) {
                if (sse) {
                    response.write("event: end\nid: " + offset + "\ndata: complete\n\n");
                }
                response.end();
                return;
            }
            if (endedWithoutLog(chunk)) {
                LOG.warn("job {} ended and attempt {} has no log; ending the follow", query.jobId(), target.attempt());
                response.end();
                return;
            }
            if (response.writeQueueFull()) {
                response.drainHandler(v -> {
                    response.drainHandler(null);
                    step();
                });
            } else {
                context.runOnContext(v -> step()); // waits at the edge for more than it has seen
            }
        }

        private int writeRaw(LogReader.Chunk chunk) {
            if (chunk.bytes().length > 0) {
                response.write(Buffer.buffer(chunk.bytes()));
            }
            return chunk.bytes().length;
        }

        /** Writes the chunk's whole lines as one event (all of it once complete, or if it is one long line). */
        private int writeEvent(LogReader.Chunk chunk) {
            byte[] bytes = chunk.bytes();
            int end = bytes.length;
            if (!chunk.complete() && bytes.length < CHUNK_BYTES) {
                end = lastNewline(bytes) + 1;
            }
            if (end == 0) {
                return 0;
            }
            StringBuilder event = new StringBuilder(end + 64).append("id: ").append(offset + end).append('\n');
            String text = new String(bytes, 0, end, UTF_8);
            if (text.endsWith("\n")) {
                text = text.substring(0, text.length() - 1);
            }
            for (String line : text.split("\r?\n", -1)) {
                event.append("data: ").append(line).append('\n');
            }
            response.write(event.append('\n').toString());
            return end;
        }

        private boolean endedWithoutLog(LogReader.Chunk chunk) {
            boolean ended = views.get(query.jobId()).map(v -> v.state().terminal()).orElse(true);
            if (!ended || chunk.indexed() || chunk.exists()) {
                endedWithoutLogSince = -1;
                return false;
            }
            long now = System.nanoTime();
            if (endedWithoutLogSince < 0) {
                endedWithoutLogSince = now;
            }
            return now - endedWithoutLogSince > NO_LOG_GRACE.toNanos();
        }

        private void later(long millis) {
            ctx.vertx().setTimer(millis, id -> step());
        }

        private void fail(ApiException e) {
            if (!response.headWritten()) {
                ctx.fail(e);
            } else {
                response.end();
            }
        }

        private static int lastNewline(byte[] bytes) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }
}
