package io.kindling.testsupport.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * A test's handle on the shared Kafka broker: its bootstrap address, a topic prefix of its own and
 * a few blocking helpers. Obtain one from {@link KafkaTestExtension}; it closes its clients when
 * the test ends.
 *
 * <p>Topic names passed to the helpers are used as given: build them with {@link #topic(String)}
 * so that tests sharing the broker never see each other's records.
 */
public final class KafkaFixture implements AutoCloseable {

    /** How long a single admin or produce call may take before the helper fails. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration METADATA_WAIT = Duration.ofMillis(500);

    private final String bootstrapServers;
    private final String topicPrefix;
    private final Object clientsLock = new Object();
    private Admin admin;
    private KafkaProducer<String, byte[]> producer;
    private boolean closed;

    KafkaFixture(String bootstrapServers, String topicPrefix) {
        this.bootstrapServers = bootstrapServers;
        this.topicPrefix = topicPrefix;
    }

    /** {@code 127.0.0.1:PORT} of the shared broker. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** This test's prefix, {@code t-<class>-<method>-<random4>.}; give it to components that name topics. */
    public String topicPrefix() {
        return topicPrefix;
    }

    /** A fresh unique prefix, {@code t-<testName>-<random4>.}, for a test that needs several. */
    public String topicPrefix(String testName) {
        return TopicPrefixes.forName(testName);
    }

    /** {@code topicPrefix() + name}. */
    public String topic(String name) {
        return topicPrefix + name;
    }

    /** Creates each topic with one partition and one replica; a topic that exists already is left as it is. */
    public void createTopics(String... names) {
        List<NewTopic> topics = Arrays.stream(names).map(name -> new NewTopic(name, 1, (short) 1)).toList();
        admin().createTopics(topics).values().forEach((name, created) -> {
            try {
                created.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("could not create topic " + name, e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("topic " + name + " not created within " + CALL_TIMEOUT, e);
            }
        });
    }

    /** Sends one record and waits until the broker has acknowledged it. */
    public RecordMetadata send(String topic, String key, byte[] value) {
        Future<RecordMetadata> sent = producer().send(new ProducerRecord<>(topic, key, value));
        try {
            return sent.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not send to " + topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending to " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("send to " + topic + " not acknowledged within " + CALL_TIMEOUT, e);
        }
    }

    /**
     * Reads {@code topic} from the beginning with a fresh consumer (no group: it assigns every
     * partition itself) until it has seen at least {@code atLeast} records.
     * Waits for the topic to appear if it does not exist yet.
     *
     * @return every record read, at least {@code atLeast} of them, in the order they were polled (offset order within a partition)
     * @throws AssertionError if fewer arrived within {@code deadline}
     */
    public List<ConsumerRecord<String, byte[]>> awaitRecords(String topic, int atLeast, Duration deadline) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            await("at least " + atLeast + " records on " + topic)
                    .atMost(deadline)
                    .pollInSameThread()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        if (consumer.assignment().isEmpty() && !assignAll(consumer, topic)) {
                            return false;
                        }
                        consumer.poll(POLL).forEach(records::add);
                        return records.size() >= atLeast;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("expected at least " + atLeast + " records on " + topic
                    + " within " + deadline + " but read " + records.size(), e);
        }
        return records;
    }

    /** Closes this fixture's admin client and producer; the shared broker keeps running. */
    @Override
    public void close() {
        synchronized (clientsLock) {
            closed = true;
            Optional.ofNullable(producer).ifPresent(p -> p.close(CALL_TIMEOUT));
            Optional.ofNullable(admin).ifPresent(a -> a.close(CALL_TIMEOUT));
            producer = null;
            admin = null;
        }
    }

    private static boolean assignAll(KafkaConsumer<String, byte[]> consumer, String topic) {
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(topic, METADATA_WAIT);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return false; // not connected yet; the next round asks again
        }
        if (partitions == null || partitions.isEmpty()) {
            return false;
        }
        List<TopicPartition> assignment = partitions.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(assignment);
        consumer.seekToBeginning(assignment);
        return true;
    }

    private Admin admin() {
        synchronized (clientsLock) {
            checkOpen();
            if (admin == null) {
                admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
            }
            return admin;
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        synchronized (clientsLock) {
            checkOpen();
            if (producer == null) {
                producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.LINGER_MS_CONFIG, 0),
                        new StringSerializer(), new ByteArraySerializer());
            }
            return producer;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this KafkaFixture is closed: it belongs to a test that has ended");
        }
    }
}
