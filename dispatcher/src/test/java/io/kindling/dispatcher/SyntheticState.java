package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.kindling.schemas.Topics;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes dispatcher records straight to its state topics, in the exact format it writes them. */
final class SyntheticState {
    /** The spec the synthetic jobs' records hash to no real spec: a replayed submit of one is a CONFLICT. */
    static final String OTHER_SHA = "0".repeat(64);

    private SyntheticState() {
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** {@code count} finished jobs {@code <prefix><i>}, SUCCEEDED at {@code ended}, on the finished jobs' topic. */
    static void finished(String bootstrap, Topics topics, String prefix, int count, Instant ended) {
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < count; i++) {
                String id = prefix + i;
                producer.send(new ProducerRecord<>(topics.dispatcherFinished(), id, ("{\"jobId\":\"" + id
                        + "\",\"state\":\"SUCCEEDED\",\"pool\":\"default\",\"tenant\":\"default\",\"specSha256\":\""
                        + OTHER_SHA + "\",\"attempt\":1,\"endedAt\":\"" + ended + "\"}").getBytes(UTF_8)));
            }
            producer.flush();
        }
    }

    /** {@code count} live jobs {@code <prefix><i>}, QUEUED since {@code queued}, on the state topic. */
    static void queued(String bootstrap, Topics topics, String prefix, int count, String spec, Instant queued) {
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < count; i++) {
                String id = prefix + i;
                producer.send(new ProducerRecord<>(topics.dispatcherState(), id, ("{\"jobId\":\"" + id
                        + "\",\"state\":\"QUEUED\",\"spec\":" + spec + ",\"pool\":\"default\",\"tenant\":\"default\","
                        + "\"specSha256\":\"" + "1".repeat(64) + "\",\"submittedAt\":\"" + queued + "\",\"queuedAt\":\""
                        + queued + "\"}").getBytes(UTF_8)));
            }
            producer.flush();
        }
    }
}
