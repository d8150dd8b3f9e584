package io.kindling.testsupport.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reads a whole topic, as it is now, with a consumer the caller made (and closes). */
public final class TopicRecords {
    private TopicRecords() {
    }

    /**
     * Every record of {@code topic} from its beginning to its end as of now: assigns all its partitions to
     * {@code consumer} (no group), seeks to the beginning and polls until each partition reaches the end offset
     * read at the start.
     */
    public static <K, V> List<ConsumerRecord<K, V>> readAll(Consumer<K, V> consumer, String topic) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }
}
