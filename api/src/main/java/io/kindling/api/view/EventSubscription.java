package io.kindling.api.view;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A watcher's hold on one job's events: the events the job had when the watch began, oldest first,
 * while later ones go to the watcher's listener. A live event may also be in {@link #replay()}:
 * watchers skip indexes they have seen. {@link #close()} stops the live events; safe to call twice.
 */
public final class EventSubscription implements AutoCloseable {
    private final List<IndexedEvent> replay;
    private final Runnable unsubscribe;
    private final AtomicBoolean closed = new AtomicBoolean();

    EventSubscription(List<IndexedEvent> replay, Runnable unsubscribe) {
        this.replay = List.copyOf(replay);
        this.unsubscribe = unsubscribe;
    }

    public List<IndexedEvent> replay() {
        return replay;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            unsubscribe.run();
        }
    }
}
