package io.kindling.api.http;

import io.kindling.api.view.EventsFollower;
import java.util.Optional;

/**
 * Whether the api is alive and ready. Ready once HTTP is up and the events follower has caught up
 * with the events topic as it was at start-up, until shutdown begins. Alive unless the events
 * follower died (its view would never move again: restarting the process is the cure).
 */
public final class Health {
    private final EventsFollower follower;
    private volatile boolean httpUp;
    private volatile boolean stopping;

    public Health(EventsFollower follower) {
        this.follower = follower;
    }

    public void httpUp() {
        httpUp = true;
    }

    public void stopping() {
        stopping = true;
    }

    /** Why the api is not ready, or empty when it is. */
    public Optional<String> notReady() {
        if (stopping) {
            return Optional.of("shutting down");
        }
        if (!httpUp) {
            return Optional.of("HTTP is not up yet");
        }
        if (follower.failed()) {
            return Optional.of("the events follower failed");
        }
        if (!follower.caughtUp()) {
            return Optional.of("still reading the events topic");
        }
        return Optional.empty();
    }

    /** Why the api is not alive, or empty when it is. */
    public Optional<String> notLive() {
        return follower.failed() || !follower.alive() ? Optional.of("the events follower failed") : Optional.empty();
    }
}
