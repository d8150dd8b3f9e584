package io.kindling.worker;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** An {@link EventPublisher} for tests: keeps what it publishes; can fail, hold back or observe publishes. */
final class RecordingPublisher implements EventPublisher {
    private final List<JobEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile JobState heldState;
    private volatile Consumer<JobEvent> observer = event -> { };
    private volatile boolean closed;

    /** The next {@code n} publishes fail. */
    RecordingPublisher failing(int n) {
        failuresLeft.set(n);
        return this;
    }

    /** Publishes of {@code state} block until {@link #release()}. */
    RecordingPublisher holding(JobState state) {
        heldState = state;
        return this;
    }

    /** Runs {@code action} on each event as it is acknowledged. */
    RecordingPublisher observing(Consumer<JobEvent> action) {
        observer = action;
        return this;
    }

    void release() {
        gate.countDown();
    }

    @Override
    public void publish(JobEvent event) throws InterruptedException {
        if (failuresLeft.getAndDecrement() > 0) {
            throw new IllegalStateException("broker unavailable (test)");
        }
        if (event.state() == heldState) {
            gate.await();
        }
        observer.accept(event);
        events.add(event);
    }

    List<JobEvent> events() {
        return List.copyOf(events);
    }

    List<JobState> states(String jobId) {
        return events.stream().filter(e -> e.jobId().equals(jobId)).map(JobEvent::state).toList();
    }

    JobEvent last(String jobId) {
        List<JobEvent> mine = events.stream().filter(e -> e.jobId().equals(jobId)).toList();
        return mine.isEmpty() ? null : mine.get(mine.size() - 1);
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
