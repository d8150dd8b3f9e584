package io.kindling.worker;

import io.kindling.schemas.JobEvent;

/** Where a worker's job events go (the events topic, keyed by job id). */
public interface EventPublisher extends AutoCloseable {

    /**
     * Returns once the event is durably written. Throws a {@link RuntimeException} when it could not
     * be; the caller decides whether to try again (event ids are deterministic, so a retry that
     * duplicates is harmless).
     */
    void publish(JobEvent event) throws InterruptedException;

    @Override
    void close();
}
