package io.kindling.dispatcher;

import static org.awaitility.Awaitility.await;

import io.kindling.schemas.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads one topic from the beginning (committed records only) and waits for what a test expects. */
final class TopicWatcher<T> implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Function<ConsumerRecord<String, byte[]>, T> decoder;
    private final List<T> seen = new ArrayList<>();

    TopicWatcher(String bootstrapServers, String topic, Class<T> type) {
        this(bootstrapServers, topic, record -> Json.decode(record.value(), type));
    }

    /** Keeps what {@code decoder} makes of each record (the record itself, say). */
    TopicWatcher(String bootstrapServers, String topic, Function<ConsumerRecord<String, byte[]>, T> decoder) {
        this.topic = topic;
        this.decoder = decoder;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Everything read so far, in order. */
    synchronized List<T> seen() {
        return List.copyOf(seen);
    }

    /** Reads until {@code condition} holds on everything read so far; fails after {@code deadline}. */
    List<T> awaitUntil(String what, Predicate<List<T>> condition, Duration deadline) {
        await(what + " on " + topic).atMost(deadline).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10)).until(() -> {
                    read();
                    return condition.test(seen());
                });
        return seen();
    }

    private void read() {
        if (consumer.assignment().isEmpty()) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos == null || infos.isEmpty()) {
                return;
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            synchronized (this) {
                seen.add(decoder.apply(record));
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
