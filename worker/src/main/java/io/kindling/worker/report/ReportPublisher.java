package io.kindling.worker.report;

import io.kindling.schemas.AttemptReport;
import java.util.concurrent.CompletableFuture;

/** Where a worker's attempt reports go: the reports topic, keyed by job id. */
public interface ReportPublisher extends AutoCloseable {

    /**
     * Sends a report and returns at once; the future completes when the broker has durably
     * written it, or fails when it could not be. A report may be sent again after a failure:
     * the dispatcher applies reports idempotently.
     */
    CompletableFuture<Void> publish(AttemptReport report);

    @Override
    void close();
}
