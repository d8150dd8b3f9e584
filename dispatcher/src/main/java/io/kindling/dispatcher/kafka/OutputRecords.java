package io.kindling.dispatcher.kafka;

import io.kindling.dispatcher.lifecycle.Output;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Where each kind of {@link Output} is published, and under which key. */
final class OutputRecords {
    private OutputRecords() {
    }

    static List<ProducerRecord<String, byte[]>> of(Output output, Topics topics) {
        return switch (output) {
            case Output.Event e -> List.of(new ProducerRecord<>(topics.events(), e.event().jobId(), Json.encode(e.event())));
            case Output.Run r -> List.of(new ProducerRecord<>(topics.runs(r.run().pool()), r.run().jobId(), Json.encode(r.run())));
            case Output.Control c -> List.of(new ProducerRecord<>(topics.control(), c.control().jobId(), Json.encode(c.control())));
            case Output.DeadLettered d -> List.of(new ProducerRecord<>(topics.deadLetter(), d.letter().originalKey(),
                    Json.encode(d.letter())));
            case Output.State st -> state(st, topics);
        };
    }

    /** Live jobs on the state topic, finished ones on the finished jobs' topic (so a start reads only the live ones). */
    static List<ProducerRecord<String, byte[]>> state(Output.State st, Topics topics) {
        if (st.snapshot() == null) {
            // a forgotten job: on both topics, since one forgotten as it ended (beyond the most remembered) left its live record
            return List.of(new ProducerRecord<>(topics.dispatcherFinished(), st.jobId(), null),
                    new ProducerRecord<>(topics.dispatcherState(), st.jobId(), null));
        }
        byte[] value = Json.encode(st.snapshot());
        if (!st.snapshot().state().terminal()) {
            return List.of(new ProducerRecord<>(topics.dispatcherState(), st.jobId(), value));
        }
        return List.of(new ProducerRecord<>(topics.dispatcherFinished(), st.jobId(), value),
                new ProducerRecord<>(topics.dispatcherState(), st.jobId(), null));
    }
}
