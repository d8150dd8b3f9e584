package io.kindling.common.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's OpenTelemetry tracing: the one seam to the OpenTelemetry SDK. Off unless configured:
 * {@link #fromEnv} builds the SDK with {@code opentelemetry-sdk-extension-autoconfigure} (so the
 * standard {@code OTEL_*} variables apply) only when an exporter is named
 * ({@code OTEL_EXPORTER_OTLP_ENDPOINT}, {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, or
 * {@code OTEL_TRACES_EXPORTER} other than {@code none}) and {@code OTEL_SDK_DISABLED} is not
 * {@code true}; otherwise it is {@link #off()}: OpenTelemetry's no-op API, which records and
 * exports nothing and costs a few objects per span.
 *
 * <p>Off or on, the W3C trace context still flows ({@link TraceContext}): a span of the no-op
 * tracer started under an incoming {@code traceparent} carries that same context on, so the
 * driver gets the caller's trace (the Airflow task's) even when Kindling records no span of its own.
 *
 * <p>OTLP is sent over HTTP ({@code http/protobuf}, the JDK's client): the default protocol here;
 * metrics and logs are never exported through OpenTelemetry (metrics are Micrometer's).
 */
public final class Tracing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
    private static final Tracing OFF = new Tracing(OpenTelemetry.noop(), null);

    private final OpenTelemetry openTelemetry;
    /** The SDK this instance made and closes; null when off or handed in. */
    private final OpenTelemetrySdk owned;

    private Tracing(OpenTelemetry openTelemetry, OpenTelemetrySdk owned) {
        this.openTelemetry = openTelemetry;
        this.owned = owned;
    }

    /** No spans recorded, nothing exported (the trace context still flows). */
    public static Tracing off() {
        return OFF;
    }

    /**
     * From the standard OpenTelemetry variables of {@code env} (and of the process, which win, as
     * autoconfigure reads them itself); {@code serviceName} unless {@code OTEL_SERVICE_NAME} names one.
     */
    public static Tracing fromEnv(Map<String, String> env, String serviceName) {
        if (!configured(env)) {
            return off();
        }
        Map<String, String> defaults = new HashMap<>();
        defaults.put("otel.service.name", serviceName);
        defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
        env.forEach((name, value) -> {
            if (name.startsWith("OTEL_")) {
                defaults.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> defaults)
                // Kindling's metrics are Micrometer's, its logs logback's: OpenTelemetry exports traces only
                .addPropertiesCustomizer(config -> Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                .disableShutdownHook() // closed with the process's Management, after the components
                .build()
                .getOpenTelemetrySdk();
        LOG.info("tracing on: service {}, exporter {}", defaults.get("otel.service.name"),
                defaults.getOrDefault("otel.traces.exporter", "otlp") + " " + defaults.getOrDefault(
                        "otel.exporter.otlp.traces.endpoint", defaults.getOrDefault("otel.exporter.otlp.endpoint", "")));
        return new Tracing(sdk, sdk);
    }

    /** True when {@code env} asks for spans to be exported (see the class documentation). */
    static boolean configured(Map<String, String> env) {
        if ("true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "").trim())) {
            return false;
        }
        String exporter = env.getOrDefault("OTEL_TRACES_EXPORTER", "").trim();
        if (!exporter.isEmpty()) {
            return !exporter.equalsIgnoreCase("none");
        }
        return !env.getOrDefault("OTEL_EXPORTER_OTLP_ENDPOINT", "").isBlank()
                || !env.getOrDefault("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").isBlank();
    }

    /**
     * Every span exported to {@code exporter} as soon as it ends (tests: an {@code InMemorySpanExporter}),
     * under {@code serviceName}. Closing this closes the exporter.
     */
    public static Tracing exportingTo(SpanExporter exporter, String serviceName) {
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(Resource.getDefault().merge(Resource.builder().put("service.name", serviceName).build()))
                        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                        .build())
                .build();
        return new Tracing(sdk, sdk);
    }

    /** True when spans are recorded and exported. */
    public boolean enabled() {
        return owned != null;
    }

    /** The tracer of one component, named by its instrumentation scope (e.g. {@code io.kindling.api}). */
    public Tracer tracer(String scope) {
        return openTelemetry.getTracer(scope);
    }

    /** Exports what is buffered (up to 10 s) and stops the SDK this instance made. */
    @Override
    public void close() {
        if (owned != null) {
            owned.shutdown().join(10, TimeUnit.SECONDS);
        }
    }
}
