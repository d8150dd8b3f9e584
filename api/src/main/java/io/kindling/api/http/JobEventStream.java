package io.kindling.api.http;

import io.kindling.api.view.EventSubscription;
import io.kindling.api.view.IndexedEvent;
import io.kindling.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's Server-Sent Events stream of one job's events. Every method runs on the request's
 * Vert.x context (live events are handed over with {@code runOnContext}), so the response is only
 * ever written from there. Events are sent once each, in index order: an index below the next one
 * expected was already sent (or resumed past) and is skipped. The stream ends after a terminal
 * event, on server shutdown, or when the client goes away; each ends the subscription and the
 * heartbeat.
 */
final class JobEventStream {
    private static final Logger LOG = LoggerFactory.getLogger(JobEventStream.class);

    private final Vertx vertx;
    private final HttpServerResponse response;
    private long next;
    private EventSubscription subscription;
    private long heartbeat = -1;
    private boolean done;

    /** A stream that sends events from index {@code next} on. */
    JobEventStream(Vertx vertx, HttpServerResponse response, long next) {
        this.vertx = vertx;
        this.response = response;
        this.next = next;
    }

    /** Sends the headers and the replay, then stays open for live events with a heartbeat comment every {@code every}. */
    void start(EventSubscription watch, Duration every) {
        this.subscription = watch;
        response.closeHandler(v -> finish(false));
        response.exceptionHandler(e -> {
            LOG.debug("event stream failed: {}", e.toString());
            finish(false);
        });
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        response.write(": kindling job events\n\n");
        for (IndexedEvent event : watch.replay()) {
            send(event);
        }
        if (!done) {
            heartbeat = vertx.setPeriodic(every.toMillis(), t -> write(": heartbeat\n\n"));
        }
    }

    /** Sends {@code event} unless it was sent already; ends the stream after a terminal one. */
    void send(IndexedEvent event) {
        if (done || event.index() < next) {
            return;
        }
        next = event.index() + 1;
        write("id: " + event.index() + "\nevent: " + event.event().state() + "\ndata: "
                + Json.encodeToString(event.event()) + "\n\n");
        if (event.event().state().terminal()) {
            finish(true);
        }
    }

    /** Ends the stream (the server is shutting down). */
    void end() {
        finish(true);
    }

    private void write(String text) {
        if (done) {
            return;
        }
        if (response.closed()) {
            finish(false);
            return;
        }
        response.write(text);
        if (response.writeQueueFull()) {
            // a client this slow on a few events a minute is gone; it can resume with Last-Event-ID
            LOG.debug("event stream client is not reading; closing");
            response.reset();
            finish(false);
        }
    }

    private void finish(boolean endResponse) {
        if (done) {
            return;
        }
        done = true;
        if (heartbeat >= 0) {
            vertx.cancelTimer(heartbeat);
        }
        if (subscription != null) {
            subscription.close();
        }
        if (endResponse && !response.ended() && !response.closed()) {
            response.end();
        }
    }
}
