package io.kindling.api.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Server-Sent Events response ({@code text/event-stream}): its headers, a heartbeat comment
 * every so often, and the end of the stream. Every method runs on the request's Vert.x context.
 * A client that does not read (its write queue is full) is cut off; the client going away, a
 * failed write or {@link #finish} end the heartbeat and run the {@link #onFinish} action once.
 */
final class SseWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SseWriter.class);

    private final Vertx vertx;
    private final HttpServerResponse response;
    private final String name;
    private Runnable onFinish = () -> { };
    private long heartbeat = -1;
    private boolean done;

    /** @param name what the stream carries, for its first comment and the logs */
    SseWriter(Vertx vertx, HttpServerResponse response, String name) {
        this.vertx = vertx;
        this.response = response;
        this.name = name;
    }

    /** What to release (a subscription, a watch) when the stream ends, however it ends. */
    void onFinish(Runnable action) {
        this.onFinish = action;
    }

    /** Sends the headers and a first comment, then a heartbeat comment every {@code every}. */
    void start(Duration every) {
        response.closeHandler(v -> finish(false));
        response.exceptionHandler(e -> {
            LOG.debug("{} stream failed: {}", name, e.toString());
            finish(false);
        });
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-store")
                .putHeader("X-Accel-Buffering", "no");
        write(": kindling " + name + "\n\n");
        if (!done) {
            heartbeat = vertx.setPeriodic(every.toMillis(), t -> write(": heartbeat\n\n"));
        }
    }

    /** Sends one event ({@code id} may be null); its data is one line of JSON. */
    void event(String id, String event, String data) {
        write((id == null ? "" : "id: " + id + "\n") + "event: " + event + "\ndata: " + data + "\n\n");
    }

    boolean done() {
        return done;
    }

    /** Ends the stream; with {@code endResponse} the response is ended cleanly when it still can be. */
    void finish(boolean endResponse) {
        if (done) {
            return;
        }
        done = true;
        if (heartbeat >= 0) {
            vertx.cancelTimer(heartbeat);
        }
        onFinish.run();
        if (endResponse && !response.ended() && !response.closed()) {
            response.end();
        }
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
            LOG.debug("{} stream client is not reading; closing", name);
            response.reset();
            finish(false);
        }
    }
}
