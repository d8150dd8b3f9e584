package io.kindling.broker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class EmbeddedKafkaBrokerIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void producesAndConsumesWithAConsumerGroupAndKeepsTopicsAcrossRestart() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dataDir))) {
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic("greetings", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                // the log cleaner's offset map is sized for one node, not Kafka's 128 MiB of heap
                ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(EmbeddedKafkaBroker.NODE_ID));
                Config config = admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node);
                assertThat(config.get("log.cleaner.dedupe.buffer.size").value()).isEqualTo(Integer.toString(16 * 1024 * 1024));
                assertThat(config.get("metadata.max.idle.interval.ms").value())
                        .isEqualTo(Integer.toString(EmbeddedKafkaBroker.METADATA_MAX_IDLE_MS));
            }
            try (KafkaProducer<String, String> producer = producer(broker)) {
                producer.send(new ProducerRecord<>("greetings", "k", "hello")).get(30, TimeUnit.SECONDS);
            }
            assertThat(consumeWithGroup(broker, "greetings", "it-group")).containsExactly("hello");
        }

        try (EmbeddedKafkaBroker restarted = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dataDir))) {
            try (Admin admin = admin(restarted)) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(topics).contains("greetings");
            }
            assertThat(consumeWithGroup(restarted, "greetings", "it-group-after-restart")).containsExactly("hello");
        }
    }

    @Test
    void failsToStartWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> EmbeddedKafkaBroker.start(new BrokerConfig(dataDir, taken.getLocalPort(), 0)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
        }
    }

    private static List<String> consumeWithGroup(EmbeddedKafkaBroker broker, String topic, String group) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(DEADLINE).pollInSameThread().until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                return !values.isEmpty();
            });
        }
        return values;
    }

    private static Admin admin(EmbeddedKafkaBroker broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }
}
