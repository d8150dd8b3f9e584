package io.kindling.dispatcher.intake;

import io.kindling.common.deadletter.DeadLetters;
import java.util.Map;

/**
 * Where an input came from: enough to dead-letter it with its original bytes; {@code trace} is the
 * W3C trace context the dispatcher continues it under ({@code traceparent}, {@code tracestate}; empty if none).
 */
public record Origin(String topic, int partition, long offset, String key, byte[] value, Map<String, String> trace) {
    public Origin {
        trace = trace == null ? Map.of() : Map.copyOf(trace);
    }

    public Origin(String topic, int partition, long offset, String key, byte[] value) {
        this(topic, partition, offset, key, value, Map.of());
    }

    /** The same coordinates and bytes, as the dead letters' builder takes them. */
    public DeadLetters.Source source() {
        return new DeadLetters.Source(topic, partition, offset, key, value);
    }
}
