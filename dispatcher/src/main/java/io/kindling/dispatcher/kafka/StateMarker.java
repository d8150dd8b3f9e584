package io.kindling.dispatcher.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.kindling.schemas.Topics;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record on the state topic saying that it holds every job's state: written with the first
 * transaction after a rebuild from the events topic, never deleted (compaction keeps the latest).
 */
final class StateMarker {
    static final String KEY = "~kindling-dispatcher-state";

    private StateMarker() {
    }

    static ProducerRecord<String, byte[]> record(Topics topics, Instant now) {
        return new ProducerRecord<>(topics.dispatcherState(), KEY,
                ("{\"version\":1,\"since\":\"" + now + "\"}").getBytes(UTF_8));
    }
}
