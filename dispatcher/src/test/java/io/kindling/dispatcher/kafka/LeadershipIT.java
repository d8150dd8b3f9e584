package io.kindling.dispatcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The leader topic's group on a real broker: one instance leads, the other takes over when it
 * leaves, and holding the lead costs no fetch (the partition is never read: it is paused).
 */
@ExtendWith(KafkaTestExtension.class)
class LeadershipIT {

    @Test
    void theLeaderFetchesNothingAndAStandbyTakesOverWhenItLeaves(KafkaFixture kafka) throws Exception {
        String topic = kafka.topic("leader");
        kafka.createTopics(topic);
        KafkaClients clients = new KafkaClients(new KafkaConfig(kafka.bootstrapServers(),
                new Topics(kafka.topicPrefix()), 1, (short) 1));
        String group = kafka.topicPrefix() + "leader-group";
        try (Leadership a = new Leadership(clients, topic, group, "a", false).start(() -> { });
             Leadership b = new Leadership(clients, topic, group, "b", false)) {
            await().atMost(Duration.ofSeconds(30)).until(a::leader);
            b.start(() -> { });
            // a few heartbeats of the leader (one a second) while it holds the partition
            await().atMost(Duration.ofSeconds(30)).until(() -> metric("consumer-coordinator-metrics", "a", "heartbeat-total") >= 3);
            assertThat(b.leader()).isFalse();
            assertThat(metric("consumer-fetch-manager-metrics", "a", "fetch-total")).isZero();

            a.close();
            await().atMost(Duration.ofSeconds(30)).until(b::leader);
            assertThat(a.leader()).isFalse();
        }
    }

    /** A metric of the leadership consumer of {@code instance}, from its JMX bean in this JVM. */
    private static double metric(String type, String instance, String name) throws Exception {
        ObjectName bean = new ObjectName("kafka.consumer:type=" + type + ",client-id=" + Leadership.clientId(instance));
        return ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(bean, name)).doubleValue();
    }
}
