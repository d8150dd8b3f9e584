package io.kindling.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00-" + TRACE + "-00f067aa0ba902b7-01";

    @Test
    void offUnlessAnExporterIsNamed() {
        assertThat(Tracing.configured(Map.of())).isFalse();
        assertThat(Tracing.configured(Map.of("OTEL_SERVICE_NAME", "x"))).isFalse();
        assertThat(Tracing.configured(Map.of("OTEL_TRACES_EXPORTER", "none"))).isFalse();
        assertThat(Tracing.configured(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"))).isTrue();
        assertThat(Tracing.configured(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318/v1/traces")))
                .isTrue();
        assertThat(Tracing.configured(Map.of("OTEL_TRACES_EXPORTER", "console"))).isTrue();
        assertThat(Tracing.configured(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318",
                "OTEL_SDK_DISABLED", "true"))).isFalse();
        assertThat(Tracing.fromEnv(Map.of(), "kindling-test").enabled()).isFalse();
    }

    @Test
    void theStandardVariablesBuildAnSdkThatRecords() {
        try (Tracing tracing = Tracing.fromEnv(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9",
                "OTEL_SERVICE_NAME", "svc", "OTEL_JAVA_EXPORTER_OTLP_RETRY_DISABLED", "true"),
                "kindling-test")) {
            assertThat(tracing.enabled()).isTrue();
            Span span = tracing.tracer("io.kindling.test").spanBuilder("s").startSpan();
            assertThat(span.isRecording()).isTrue();
            span.end();
        }
    }

    @Test
    void kafkaHeadersRoundTripTheW3cContext() {
        RecordHeaders in = new RecordHeaders();
        in.add(TraceContext.TRACEPARENT, PARENT.getBytes(StandardCharsets.UTF_8));
        in.add(TraceContext.TRACESTATE, "vendor=1".getBytes(StandardCharsets.UTF_8));
        Context context = TraceContext.extract(in);
        assertThat(TraceContext.traceId(context)).isEqualTo(TRACE);

        RecordHeaders out = new RecordHeaders();
        out.add(TraceContext.TRACEPARENT, "stale".getBytes(StandardCharsets.UTF_8));
        TraceContext.inject(context, out);
        assertThat(out.headers(TraceContext.TRACEPARENT)).hasSize(1);
        assertThat(new String(out.lastHeader(TraceContext.TRACEPARENT).value(), StandardCharsets.UTF_8)).isEqualTo(PARENT);
        assertThat(new String(out.lastHeader(TraceContext.TRACESTATE).value(), StandardCharsets.UTF_8)).isEqualTo("vendor=1");
        assertThat(TraceContext.carrier(context)).containsEntry("traceparent", PARENT).containsEntry("tracestate", "vendor=1");
        assertThat(TraceContext.traceId(TraceContext.extract(TraceContext.carrier(context)))).isEqualTo(TRACE);
    }

    @Test
    void aMalformedOrMissingTraceparentStartsNothing() {
        RecordHeaders bad = new RecordHeaders();
        bad.add(TraceContext.TRACEPARENT, "00-nonsense".getBytes(StandardCharsets.UTF_8));
        assertThat(TraceContext.traceId(TraceContext.extract(bad))).isNull();
        assertThat(TraceContext.traceId(TraceContext.extract(new RecordHeaders()))).isNull();
        assertThat(TraceContext.carrier(Context.root())).isEmpty();
        RecordHeaders out = new RecordHeaders();
        TraceContext.inject(Context.root(), out);
        assertThat(out.toArray()).isEmpty();
    }

    @Test
    void offStillCarriesTheIncomingContextOn() {
        Context incoming = TraceContext.extract(Map.of("traceparent", PARENT));
        Span span = Tracing.off().tracer("io.kindling.test").spanBuilder("s").setParent(incoming).startSpan();
        assertThat(span.isRecording()).isFalse();
        assertThat(TraceContext.carrier(incoming.with(span))).containsEntry("traceparent", PARENT);
        span.end();
    }

    @Test
    void anInMemoryExporterSeesEverySpanWithItsParent() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (Tracing tracing = Tracing.exportingTo(exporter, "kindling-test")) {
            Span span = tracing.tracer("io.kindling.test").spanBuilder("child").setSpanKind(SpanKind.CONSUMER)
                    .setParent(TraceContext.extract(Map.of("traceparent", PARENT))).startSpan();
            span.end();
            SpanData data = exporter.getFinishedSpanItems().getFirst();
            assertThat(data.getTraceId()).isEqualTo(TRACE);
            assertThat(data.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
            assertThat(data.getInstrumentationScopeInfo().getName()).isEqualTo("io.kindling.test");
            assertThat(data.getResource().getAttributes().asMap().values()).contains("kindling-test");
        }
    }
}
