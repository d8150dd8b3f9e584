package io.kindling.worker.report;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.JobState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;

/**
 * Counts the reports a worker got acknowledged: attempts started (SUBMITTING) and ended (by state
 * and reason), and reports the broker refused. A report sent again after a failure is counted again.
 */
public final class MeteredReportPublisher implements ReportPublisher {
    private final ReportPublisher delegate;
    private final MeterRegistry registry;

    public MeteredReportPublisher(ReportPublisher delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    @Override
    public CompletableFuture<Void> publish(AttemptReport report) {
        return delegate.publish(report).whenComplete((ok, failure) -> {
            String pool = report.pool() == null ? "none" : report.pool();
            if (failure != null) {
                Counter.builder("kindling.worker.report.failures").description("Reports the broker did not acknowledge")
                        .tag("pool", pool).register(registry).increment();
            } else if (report.type() == AttemptReport.Type.STATE && report.state() == JobState.SUBMITTING) {
                Counter.builder("kindling.worker.attempts.started").description("Attempts this worker started")
                        .tag("pool", pool).register(registry).increment();
            } else if (report.type() == AttemptReport.Type.STATE && report.state() != null && report.state().terminal()) {
                Counter.builder("kindling.worker.attempts.ended")
                        .description("Attempts this worker reported ended, by state and reason")
                        .tags("pool", pool, "state", report.state().name(),
                                "reason", report.reason() == null ? "none" : report.reason().name())
                        .register(registry).increment();
            }
        });
    }

    @Override
    public void close() {
        delegate.close();
    }
}
