package io.kindling.dispatcher.kafka;

import io.kindling.dispatcher.lifecycle.Output;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Where each kind of {@link Output} is published, and under which key. */
final class OutputRecords {
    private OutputRecords() {
    }

    static ProducerRecord<String, byte[]> of(Output output, Topics topics) {
        return switch (output) {
            case Output.Event e -> new ProducerRecord<>(topics.events(), e.event().jobId(), Json.encode(e.event()));
            case Output.Run r -> new ProducerRecord<>(topics.runs(r.run().pool()), r.run().jobId(), Json.encode(r.run()));
            case Output.Control c -> new ProducerRecord<>(topics.control(), c.control().jobId(), Json.encode(c.control()));
            case Output.DeadLettered d -> new ProducerRecord<>(topics.deadLetter(), d.letter().originalKey(),
                    Json.encode(d.letter()));
            case Output.State st -> new ProducerRecord<>(topics.dispatcherState(), st.jobId(),
                    st.snapshot() == null ? null : Json.encode(st.snapshot()));
        };
    }
}
