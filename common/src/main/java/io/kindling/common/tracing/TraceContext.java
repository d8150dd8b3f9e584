package io.kindling.common.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The W3C trace context ({@code traceparent}, {@code tracestate}) carried between Kindling's
 * components, through OpenTelemetry's W3C propagator: in Kafka record headers (the api's command,
 * the dispatcher's run assignments and events), in HTTP headers, and as a small map kept with a
 * job's state or handed to a driver. A malformed or missing {@code traceparent} extracts to the
 * root context: the next span starts a new trace.
 */
public final class TraceContext {
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

    private TraceContext() {
    }

    /** The context in {@code headers} (the root context if they carry none). */
    public static Context extract(Headers headers) {
        return headers == null ? Context.root() : W3C.extract(Context.root(), headers, KafkaHeaders.INSTANCE);
    }

    /** Writes {@code context}'s span context into {@code headers}, replacing any there (nothing if it has none). */
    public static void inject(Context context, Headers headers) {
        headers.remove(TRACEPARENT);
        headers.remove(TRACESTATE);
        W3C.inject(context, headers, KafkaHeaders.INSTANCE);
    }

    /** The context in any carrier (HTTP request headers, say) read through {@code getter}. */
    public static <C> Context extract(C carrier, TextMapGetter<C> getter) {
        return carrier == null ? Context.root() : W3C.extract(Context.root(), carrier, getter);
    }

    /** The context in {@code carrier}, a map of header names (lower case) to values. */
    public static Context extract(Map<String, String> carrier) {
        return carrier == null || carrier.isEmpty() ? Context.root()
                : W3C.extract(Context.root(), carrier, MapCarrier.INSTANCE);
    }

    /** {@code context}'s span context as {@code traceparent} (and {@code tracestate}); empty if it has no valid one. */
    public static Map<String, String> carrier(Context context) {
        Map<String, String> carrier = new LinkedHashMap<>();
        W3C.inject(context, carrier, Map::put);
        return Map.copyOf(carrier);
    }

    /** The trace id of the span in {@code context}; null if there is no valid one. */
    public static String traceId(Context context) {
        return Span.fromContext(context).getSpanContext().isValid() ? Span.fromContext(context).getSpanContext().getTraceId()
                : null;
    }

    /** Reads and writes W3C headers on Kafka records (UTF-8 values; the last header of a name counts). */
    private enum KafkaHeaders implements TextMapGetter<Headers>, TextMapSetter<Headers> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Headers carrier) {
            List<String> keys = new ArrayList<>();
            for (Header header : carrier) {
                keys.add(header.key());
            }
            return keys;
        }

        @Override
        public String get(Headers carrier, String key) {
            Header header = carrier == null ? null : carrier.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }

        @Override
        public void set(Headers carrier, String key, String value) {
            if (carrier != null) {
                carrier.add(key, value.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private enum MapCarrier implements TextMapGetter<Map<String, String>> {
        INSTANCE;

        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    }
}
