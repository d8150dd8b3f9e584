package io.kindling.dispatcher.kafka;

import io.kindling.common.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Extends a checkpointed {@link FinishedFilter} with the keys the finished jobs' topic got after
 * the offsets it covers, up to a target (the topic's end when the dispatcher caught up): a
 * checkpoint from before a kill -9 is extended, never trusted beyond its offsets. Only keys are
 * read (nothing is decoded), and only what was written since the checkpoint.
 */
final class FilterExtension {
    private static final Duration POLL = Duration.ofMillis(200);

    private FilterExtension() {
    }

    /** Adds the keys from the covered offsets up to {@code target}: how many; -1 if stopped first (the filter is then unusable). */
    static long extend(KafkaClients clients, FinishedFilter filter, Map<TopicPartition, Long> target,
            BooleanSupplier running) {
        List<TopicPartition> behind = new ArrayList<>();
        target.forEach((partition, end) -> {
            if (filter.covers().getOrDefault(partition.partition(), 0L) < end) {
                behind.add(partition);
            }
        });
        long added = 0;
        if (behind.isEmpty()) {
            return added;
        }
        try (KafkaConsumer<String, byte[]> consumer = clients.consumer(null, "kindling-dispatcher-filter",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000"))) {
            consumer.assign(behind);
            behind.forEach(p -> consumer.seek(p, filter.covers().getOrDefault(p.partition(), 0L)));
            while (!behind.isEmpty()) {
                if (!running.getAsBoolean()) {
                    return -1;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.key() != null) {
                        filter.add(record.key());
                        added++;
                    }
                }
                behind.removeIf(p -> {
                    long position = consumer.position(p);
                    filter.covered(p.partition(), position);
                    return position >= target.get(p);
                });
                consumer.pause(consumer.assignment().stream().filter(p -> !behind.contains(p)).toList());
            }
        }
        return added;
    }
}
