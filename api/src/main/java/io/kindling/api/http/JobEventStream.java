package io.kindling.api.http;

import io.kindling.api.view.EventSubscription;
import io.kindling.api.view.IndexedEvent;
import io.kindling.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;

/**
 * One client's Server-Sent Events stream of one job's events ({@link SseWriter} writes it). Every
 * method runs on the request's Vert.x context (live events are handed over with
 * {@code runOnContext}). Events are sent once each, in index order: an index below the next one
 * expected was already sent (or resumed past) and is skipped. The stream ends after a terminal
 * event, on server shutdown, or when the client goes away (a client too slow to read a few events
 * a minute is cut off and resumes with {@code Last-Event-ID}); each ends the subscription.
 */
final class JobEventStream {
    private final SseWriter sse;
    private long next;

    /** A stream that sends events from index {@code next} on. */
    JobEventStream(Vertx vertx, HttpServerResponse response, long next) {
        this.sse = new SseWriter(vertx, response, "job events");
        this.next = next;
    }

    /** Sends the headers and the replay, then stays open for live events with a heartbeat comment every {@code every}. */
    void start(EventSubscription watch, Duration every) {
        sse.onFinish(watch::close);
        sse.start(every);
        for (IndexedEvent event : watch.replay()) {
            send(event);
        }
    }

    /** Sends {@code event} unless it was sent already; ends the stream after a terminal one. */
    void send(IndexedEvent event) {
        if (sse.done() || event.index() < next) {
            return;
        }
        next = event.index() + 1;
        sse.event(Long.toString(event.index()), event.event().state().name(), Json.encodeToString(event.event()));
        if (event.event().state().terminal()) {
            sse.finish(true);
        }
    }

    /** Ends the stream (the server is shutting down). */
    void end() {
        sse.finish(true);
    }
}
