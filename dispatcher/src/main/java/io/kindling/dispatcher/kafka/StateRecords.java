package io.kindling.dispatcher.kafka;

import io.kindling.common.pools.PoolConfig;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
import io.kindling.dispatcher.lifecycle.Output;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The records a dispatcher keeps on its state topics for a job, built from the job's events by the
 * dispatcher's own state machine and routed as it routes them (live jobs on the state topic,
 * finished ones on the finished jobs' topic): for a benchmark that writes a synthetic history in
 * the dispatcher's exact format.
 */
public final class StateRecords {
    private final Topics topics;
    private final Collection<PoolConfig> pools;

    public StateRecords(Topics topics, Collection<PoolConfig> pools) {
        this.topics = topics;
        this.pools = List.copyOf(pools);
    }

    /** What a dispatcher wrote for a job when it emitted the last of these events (from its QUEUED on). */
    public List<ProducerRecord<String, byte[]>> of(List<JobEvent> events) {
        JobStateMachine machine = new JobStateMachine(pools);
        events.forEach(machine::restore);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (Output output : machine.snapshots()) {
            records.addAll(OutputRecords.of(output, topics));
        }
        return records;
    }

    /** The record saying the state topic holds every job's state (without it a dispatcher folds the events topic). */
    public ProducerRecord<String, byte[]> marker(Instant now) {
        return StateMarker.record(topics, now);
    }
}
