package io.kindling.api.http;

import io.kindling.api.view.EventSubscription;
import io.kindling.api.view.IndexedEvent;
import io.kindling.api.view.JobViewStore;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/jobs/{id}/events} (operation {@code getJobEvents}): the job's events as
 * Server-Sent Events ({@code text/event-stream}). Every event the api holds for the job is
 * replayed from the first, then live ones follow as the events topic is read: {@code id} is the
 * event's index among the job's events, {@code event} its state, {@code data} the event's JSON. A
 * {@code Last-Event-ID} header resumes after that index. The stream ends after a terminal event;
 * a client resuming after it gets 204 (an EventSource stops reconnecting). A comment is sent
 * every {@link #HEARTBEAT} so proxies keep the connection open.
 */
public final class GetJobEventsHandler implements Handler<RoutingContext> {
    public static final Duration HEARTBEAT = Duration.ofSeconds(15);
    static final String LAST_EVENT_ID = "Last-Event-ID";

    private final JobViewStore views;
    private final Duration heartbeat;

    public GetJobEventsHandler(JobViewStore views, Duration heartbeat) {
        this.views = views;
        this.heartbeat = heartbeat;
    }

    public GetJobEventsHandler(JobViewStore views) {
        this(views, HEARTBEAT);
    }

    @Override
    public void handle(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (views.find(id).filter(view -> !GetJobHandler.visible(ctx, view)).isPresent()) {
            ctx.fail(GetJobHandler.notFound(id));
            return;
        }
        long lastSeen = lastEventId(ctx.request().getHeader(LAST_EVENT_ID));
        Context context = ctx.vertx().getOrCreateContext();
        HttpServerResponse response = ctx.response();
        JobEventStream stream = new JobEventStream(ctx.vertx(), response, lastSeen + 1);
        Optional<EventSubscription> watch = views.subscribe(id, event -> context.runOnContext(v -> stream.send(event)));
        if (watch.isEmpty()) {
            ctx.fail(ApiException.unknownJob(id, views.caughtUp()));
            return;
        }
        if (endedAtOrBefore(watch.get().replay(), lastSeen)) {
            watch.get().close();
            response.setStatusCode(204).end();
            return;
        }
        ctx.request().connection().shutdownHandler(v -> stream.end());
        stream.start(watch.get(), heartbeat);
    }

    /** The index the client saw last, -1 for none. */
    static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        try {
            long value = Long.parseLong(header.trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalidParameter(LAST_EVENT_ID, "must be an event index this api sent, was '" + header + "'");
    }

    /** True if the job's terminal event is among those the client has already seen. */
    static boolean endedAtOrBefore(List<IndexedEvent> events, long lastSeen) {
        return events.stream().anyMatch(e -> e.index() <= lastSeen && e.event().state().terminal());
    }
}
