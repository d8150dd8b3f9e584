package io.kindling.testsupport.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The poison tests' writer of bad records (PoisonIT and its siblings): sends any key, bytes and
 * headers to any topic (records up to 2 MiB, past the broker's limit), remembers each bad one with
 * the dead-letter reasons that would be right for it, and tells which of them have no matching
 * dead letter ({@link #unmatched}).
 */
public final class BadRecords implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A bad record sent, and the dead-letter reasons that would be right for it. */
    public record Sent(String topic, int partition, long offset, Set<String> reasons, String what) {
    }

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();

    public BadRecords(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** {@code size} random bytes. */
    public static byte[] noise(Random random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * Sends a record (headers as name, value pairs) and returns its offset; it is remembered as bad
     * unless {@code reasons} is empty.
     */
    public long send(String topic, String key, byte[] value, Set<String> reasons, String what, String... headers)
            throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            record.headers().add(new RecordHeader(headers[i], headers[i + 1].getBytes(UTF_8)));
        }
        RecordMetadata metadata = producer.send(record).get();
        if (!reasons.isEmpty()) {
            sent.add(new Sent(topic, metadata.partition(), metadata.offset(), reasons, what));
        }
        return metadata.offset();
    }

    /** Sends UTF-8 text, as {@link #send}. */
    public long sendText(String topic, String key, String value, Set<String> reasons, String what, String... headers)
            throws Exception {
        return send(topic, key, value.getBytes(UTF_8), reasons, what, headers);
    }

    /** The bad records sent so far. */
    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    /**
     * What is wrong with {@code letters} (dead-letter records) for the bad records sent: one without
     * a dead letter, one with a wrong reason, and when {@code once}, one with more than one dead
     * letter (a topic read by several readers, without a group, has one per reader). Empty when all is well.
     */
    public List<String> unmatched(Collection<ConsumerRecord<String, byte[]>> letters, boolean once) {
        List<JsonNode> decoded = letters.stream().map(l -> read(l.value())).toList();
        List<String> problems = new ArrayList<>();
        for (Sent s : sent) {
            List<JsonNode> matching = decoded.stream().filter(l -> s.topic().equals(l.path("sourceTopic").asText())
                    && l.path("sourcePartition").asInt(-1) == s.partition()
                    && l.path("sourceOffset").asLong(-1) == s.offset()).toList();
            if (matching.isEmpty()) {
                problems.add("no dead letter for " + s.what() + " (" + s.topic() + "-" + s.partition() + "@" + s.offset() + ")");
            } else if (once && matching.size() > 1) {
                problems.add(matching.size() + " dead letters for " + s.what());
            }
            for (JsonNode letter : matching) {
                if (!s.reasons().contains(letter.path("reason").asText())) {
                    problems.add("reason " + letter.path("reason").asText() + " for " + s.what() + ", expected one of "
                            + s.reasons() + ": " + letter.path("message").asText());
                }
            }
        }
        return problems;
    }

    /** Every record of {@code topic} from its beginning to its end as of now. */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            return TopicRecords.readAll(consumer, topic);
        }
    }

    private static JsonNode read(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalStateException("a dead letter that is not JSON", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
