package io.kindling.testsupport.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(KafkaTestExtension.class)
class KafkaTestExtensionIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void sendsAndReadsBackFromTheBeginning(KafkaFixture kafka) {
        String topic = kafka.topic("events");
        kafka.createTopics(topic);

        kafka.send(topic, "a", bytes("first"));
        kafka.send(topic, "b", bytes("second"));

        List<ConsumerRecord<String, byte[]>> records = kafka.awaitRecords(topic, 2, DEADLINE);
        assertThat(records).extracting(ConsumerRecord::key).containsExactly("a", "b");
        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("first", "second");
    }

    @Test
    void everyTestGetsItsOwnPrefixOnTheOneSharedBroker(KafkaFixture kafka) {
        assertThat(kafka.bootstrapServers()).isEqualTo(SharedKafka.bootstrapServers()).startsWith("127.0.0.1:");
        assertThat(kafka.topicPrefix())
                .matches("t-KafkaTestExtensionIT-everyTestGetsItsOwnPrefixOnTheOneSharedBroker-[a-z0-9]{4}\\.");
        assertThat(kafka.topicPrefix("other")).matches("t-other-[a-z0-9]{4}\\.");
    }

    @Test
    void createTopicsLeavesAnExistingTopicAlone(KafkaFixture kafka) {
        String topic = kafka.topic("twice");
        kafka.createTopics(topic);
        kafka.send(topic, "k", bytes("kept"));

        kafka.createTopics(topic);

        assertThat(kafka.awaitRecords(topic, 1, DEADLINE)).hasSize(1);
    }

    @Test
    void awaitRecordsFailsWithTheCountItSawWhenTooFewArrive(KafkaFixture kafka) {
        String topic = kafka.topic("sparse");
        kafka.createTopics(topic);
        kafka.send(topic, "k", bytes("only one"));

        assertThatThrownBy(() -> kafka.awaitRecords(topic, 2, Duration.ofSeconds(2)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("but read 1");
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
