package io.kindling.worker.launcher;

import io.kindling.common.tracing.Tracing;
import io.kindling.schemas.RunAssignment;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * A {@link Launcher} whose launches are traced: a {@code launch} span, child of the run
 * assignment's trace (the context current on the attempt's thread, from the record's headers),
 * current while the launcher builds the driver's command, so the driver gets it ({@link DriverTrace}).
 */
public final class TracedLauncher implements Launcher {
    private final Launcher launcher;
    private final Tracer tracer;

    public TracedLauncher(Launcher launcher, Tracing tracing) {
        this.launcher = launcher;
        this.tracer = tracing.tracer("io.kindling.worker");
    }

    @Override
    public Launch launch(RunAssignment run) throws InterruptedException {
        Span span = tracer.spanBuilder("launch").setSpanKind(SpanKind.INTERNAL)
                .setAttribute("kindling.job.id", run.jobId())
                .setAttribute("kindling.attempt", run.attempt())
                .setAttribute("kindling.attempt.id", run.attemptId())
                .setAttribute("kindling.pool", run.pool())
                .startSpan();
        try (Scope scope = span.makeCurrent()) {
            Launch launch = launcher.launch(run);
            if (launch instanceof Launch.Refused refused) {
                span.setStatus(StatusCode.ERROR, refused.message());
                span.setAttribute("kindling.failure.reason", refused.reason().name());
            }
            return launch;
        } finally {
            span.end();
        }
    }

    @Override
    public boolean cancel(String attemptId) throws InterruptedException {
        return launcher.cancel(attemptId);
    }

    @Override
    public Adoption adopt(RunAssignment run) throws InterruptedException {
        return launcher.adopt(run);
    }

    @Override
    public void close() {
        launcher.close();
    }
}
