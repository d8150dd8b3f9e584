package io.kindling.api.http;

import io.kindling.api.IoExecutor;
import io.kindling.api.logs.EventLogArchive;
import io.kindling.api.logs.LogReader;
import io.kindling.api.view.JobViewStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.schemas.AttemptView;
import io.kindling.schemas.JobView;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/jobs/{id}/eventlog} (operation {@code getJobEventLog}): the Spark event log of
 * an attempt ({@code attempt}, default the latest), once the attempt has ended and its event log
 * is stored. A single event log file is sent as it is ({@code application/octet-stream}); a
 * rolling event log (several files) as a zip ({@code application/zip}) whose entries keep
 * Spark's relative paths. 404 while there is none.
 */
public final class GetEventLogHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(GetEventLogHandler.class);

    private final JobViewStore views;
    private final LogReader reader;
    private final EventLogArchive archive;
    private final IoExecutor io;

    public GetEventLogHandler(JobViewStore views, LogReader reader, EventLogArchive archive, IoExecutor io) {
        this.views = views;
        this.reader = reader;
        this.archive = archive;
        this.io = io;
    }

    private record Wanted(String tenant, String jobId, int attempt) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        Future.succeededFuture(ctx)
                .map(this::wanted)
                .compose(wanted -> io.call(context, () -> download(wanted)))
                .onSuccess(download -> send(ctx, download))
                .onFailure(ctx::fail);
    }

    private Wanted wanted(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        JobView view = views.get(id).filter(v -> GetJobHandler.visible(ctx, v)).orElseThrow(() -> GetJobHandler.notFound(id));
        Long asked = ValidRequest.of(ctx).integer("attempt"); // 1 to 2^31-1: the document's range
        Integer number = asked == null ? null : asked.intValue();
        AttemptView attempt = view.attempt(number).orElseThrow(() -> ApiException.notFound("job '" + id + "' has no attempt" + (number == null ? " yet" : " " + number)));
        return new Wanted(GetJobLogsHandler.tenant(view), id, attempt.number());
    }

    private EventLogArchive.Download download(Wanted w) throws IOException {
        Optional<LogIndex> index = reader.index(w.tenant(), w.jobId(), w.attempt());
        Optional<EventLogArchive.Download> download = index.isEmpty() ? Optional.empty()
                : archive.download(w.tenant(), index.get());
        return download.orElseThrow(() -> ApiException.notFound("attempt " + w.attempt() + " of job '" + w.jobId()
                + "' has no event log (yet): it is stored once the attempt has ended"));
    }

    private static void send(RoutingContext ctx, EventLogArchive.Download download) {
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, download.zip() ? "application/zip" : "application/octet-stream")
                .putHeader("Content-Disposition", "attachment; filename=\"" + download.fileName() + "\"")
                .sendFile(download.file().toString())
                .onComplete(ar -> {
                    try {
                        Files.deleteIfExists(download.file());
                    } catch (IOException e) {
                        LOG.warn("cannot delete {}: {}", download.file(), e.toString());
                    }
                });
    }
}
