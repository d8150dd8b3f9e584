package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.common.kafka.TopicSettings;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Topics are created with explicit retention on a real broker, and an existing short retention is raised. */
@ExtendWith(KafkaTestExtension.class)
class TopicRetentionIT {

    @Test
    void topicsGetExplicitSettingsAndAShortEventsRetentionIsRaised(KafkaFixture kafka) throws Exception {
        KafkaConfig config = KafkaConfig.fromEnv(Map.of("KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix("retention")));
        KafkaClients clients = new KafkaClients(config);
        String events = config.topics().events();
        String commands = config.topics().commands();
        new TopicCreator(clients, new TopicSettings(Duration.ofDays(10))).ensure(List.of(events, commands),
                Duration.ofSeconds(30));

        try (Admin admin = clients.admin("retention-it")) {
            assertThat(config(admin, events).get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(17).toMillis()));
            assertThat(config(admin, events).get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(config(admin, events).get("retention.bytes").value()).isEqualTo("-1");
            assertThat(config(admin, commands).get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));

            // an operator (or the broker default) left the events topic at 7 days: the next start raises it
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, events);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.ms", Long.toString(Duration.ofDays(7).toMillis())), AlterConfigOp.OpType.SET))))
                    .all().get(10, TimeUnit.SECONDS);
            new TopicCreator(clients, new TopicSettings(Duration.ofDays(30))).ensure(List.of(events), Duration.ofSeconds(30));
            assertThat(config(admin, events).get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(37).toMillis()));

            // a longer one is kept
            new TopicCreator(clients, new TopicSettings(Duration.ofDays(1))).ensure(List.of(events), Duration.ofSeconds(30));
            assertThat(config(admin, events).get("retention.ms").value()).isEqualTo(Long.toString(Duration.ofDays(37).toMillis()));
        }
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
    }
}
