package io.kindling.dispatcher.kafka;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.dispatcher.lifecycle.JobSnapshot;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
import io.kindling.schemas.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the state topic into a state machine: a standby keeps it current while it waits (warm
 * standby), so taking over only reads what the last leader committed since. A machine that has
 * decided is dropped ({@link #reset}) when its term ends: its memory may hold decisions whose
 * transaction never committed. Owned by the dispatcher's thread.
 */
final class StateTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateTail.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Supplier<JobStateMachine> machines;
    private final List<TopicPartition> partitions;
    private JobStateMachine machine;
    private boolean marked;
    private long records;

    StateTail(KafkaClients clients, String topic, Supplier<JobStateMachine> machines) {
        this.consumer = clients.consumer(null, "kindling-dispatcher-state", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"));
        this.machines = machines;
        this.partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        reset();
    }

    /** Starts over from the beginning with a fresh machine. */
    void reset() {
        machine = machines.get();
        marked = false;
        records = 0;
        consumer.seekToBeginning(partitions);
    }

    /** Folds what arrived within {@code timeout} (a standby calls this while it waits). */
    void poll(Duration timeout) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            apply(record);
        }
    }

    /** Folds everything committed up to the topic's end as it stands now; true if the topic held a full state. */
    boolean catchUp(BooleanSupplier running) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (running.getAsBoolean() && !caughtUp(end)) {
            poll(POLL);
        }
        return marked;
    }

    /** The machine folded so far. */
    JobStateMachine machine() {
        return machine;
    }

    long records() {
        return records;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        records++;
        try {
            if (StateMarker.KEY.equals(record.key())) {
                marked = true;
            } else if (record.value() == null) {
                machine.forget(record.key());
            } else {
                JobSnapshot snapshot = Json.decode(record.value(), JobSnapshot.class);
                String problem = snapshot.problem(record.key());
                if (problem != null) {
                    LOG.error("state {}-{}@{}: record skipped ({})", record.topic(), record.partition(), record.offset(),
                            problem);
                } else {
                    machine.restore(snapshot);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("state {}-{}@{}: unreadable record skipped ({})", record.topic(), record.partition(), record.offset(),
                    e.toString());
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
