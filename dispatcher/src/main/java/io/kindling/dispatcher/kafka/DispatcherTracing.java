package io.kindling.dispatcher.kafka;

import io.kindling.common.tracing.TraceContext;
import io.kindling.common.tracing.Tracing;
import io.kindling.dispatcher.lifecycle.Output;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The dispatcher's spans and trace headers. A command record opens a CONSUMER span {@code command}
 * under its headers' context; the job keeps that span's context with its state ({@code Job.trace},
 * on the state topic), so its run assignments, however long they waited in the queue and across
 * restarts, open a PRODUCER span {@code dispatch} under it and carry the {@code dispatch} span in
 * their headers; the job's events carry the {@code command} span's context.
 */
final class DispatcherTracing {
    private final Tracer tracer;

    DispatcherTracing(Tracing tracing) {
        this.tracer = tracing.tracer("io.kindling.dispatcher");
    }

    /** The span of one consumed command (end it once handled). */
    Span command(ConsumerRecord<String, byte[]> record) {
        return tracer.spanBuilder("command").setSpanKind(SpanKind.CONSUMER)
                .setParent(TraceContext.extract(record.headers()))
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", record.topic())
                .setAttribute("messaging.kafka.offset", record.offset())
                .setAttribute("kindling.job.id", record.key() == null ? "" : record.key())
                .startSpan();
    }

    /** What a job handled under {@code span} keeps as its trace context (empty if there is none). */
    static Map<String, String> carrier(Span span) {
        return TraceContext.carrier(Context.root().with(span));
    }

    /** {@code record}, the one {@code output} is published as, with its job's trace in the headers. */
    ProducerRecord<String, byte[]> traced(Output output, ProducerRecord<String, byte[]> record) {
        switch (output) {
            case Output.Run r when !r.trace().isEmpty() -> {
                Span dispatch = tracer.spanBuilder("dispatch").setSpanKind(SpanKind.PRODUCER)
                        .setParent(TraceContext.extract(r.trace()))
                        .setAttribute("messaging.system", "kafka")
                        .setAttribute("messaging.destination.name", record.topic())
                        .setAttribute("kindling.job.id", r.run().jobId())
                        .setAttribute("kindling.attempt", r.run().attempt())
                        .setAttribute("kindling.pool", r.run().pool())
                        .startSpan();
                TraceContext.inject(Context.root().with(dispatch), record.headers());
                dispatch.end();
            }
            case Output.Event e when !e.trace().isEmpty() -> TraceContext.inject(TraceContext.extract(e.trace()),
                    record.headers());
            default -> {
                // no trace: no headers
            }
        }
        return record;
    }
}
