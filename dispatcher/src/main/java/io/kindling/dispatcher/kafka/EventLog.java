package io.kindling.dispatcher.kafka;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a topic (the events, the dispatcher's state) from the beginning to its end as it stands now (committed records only). */
final class EventLog {
    private static final Logger LOG = LoggerFactory.getLogger(EventLog.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private EventLog() {
    }

    /** Hands every event to {@code sink} in partition order; returns how many were read. */
    static long replay(KafkaClients clients, String topic, Consumer<JobEvent> sink, BooleanSupplier running) {
        return read(clients, topic, record -> sink.accept(Json.decode(record.value(), JobEvent.class)), running);
    }

    /** Hands every record to {@code sink} in partition order; returns how many were read (unreadable ones skipped). */
    static long read(KafkaClients clients, String topic, Consumer<ConsumerRecord<String, byte[]>> sink,
            BooleanSupplier running) {
        long count = 0;
        try (KafkaConsumer<String, byte[]> consumer = clients.consumer(null, "kindling-dispatcher-rebuild",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (running.getAsBoolean() && !caughtUp(consumer, end)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    try {
                        sink.accept(record);
                        count++;
                    } catch (RuntimeException e) {
                        LOG.warn("{}-{}@{}: unreadable record skipped ({})", record.topic(), record.partition(),
                                record.offset(), e.toString());
                    }
                }
            }
        }
        return count;
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
