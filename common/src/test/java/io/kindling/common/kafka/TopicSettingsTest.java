package io.kindling.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KnownKeys;
import io.kindling.schemas.MessageLimits;
import io.kindling.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicSettingsTest {
    private final Topics topics = new Topics("k.");

    @Test
    void everyTopicGetsExplicitSettingsAndTheEventsOutliveTheJobRetention() {
        TopicSettings settings = TopicSettings.from(new EnvConfig(Map.of("KINDLING_JOB_RETENTION_DAYS", "45")));
        assertThat(settings.jobRetention()).isEqualTo(Duration.ofDays(45));

        Map<String, String> events = settings.forTopic(topics, topics.events());
        assertThat(events).containsEntry("cleanup.policy", "delete")
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(52).toMillis()))
                .containsEntry("retention.bytes", "-1")
                .containsEntry("max.message.bytes", Integer.toString(MessageLimits.KAFKA_RECORD_BYTES));
        for (String topic : new String[] {topics.commands(), topics.reports(), topics.control(), topics.runs("gpu")}) {
            assertThat(settings.forTopic(topics, topic)).as(topic)
                    .containsEntry("cleanup.policy", "delete")
                    .containsEntry("retention.ms", Long.toString(Duration.ofDays(7).toMillis()))
                    .containsKeys("retention.bytes", "max.message.bytes");
        }
        assertThat(settings.forTopic(topics, topics.deadLetter())).containsEntry("retention.ms",
                Long.toString(Duration.ofDays(14).toMillis()));
        assertThat(TopicSettings.compacted()).containsEntry("cleanup.policy", "compact").containsEntry("retention.ms", "-1");
        assertThat(TopicSettings.defaults().eventsRetention()).isEqualTo(Duration.ofDays(37));
        assertThat(KnownKeys.ALL).contains(TopicSettings.JOB_RETENTION_DAYS.name());
    }

    @Test
    void anExistingTopicKeepsALongerRetentionButNotAShorterOne() {
        assertThat(TopicCreator.needsChange("retention.ms", "604800000", "3196800000")).isTrue();
        assertThat(TopicCreator.needsChange("retention.ms", "9196800000", "3196800000")).isFalse();
        assertThat(TopicCreator.needsChange("retention.ms", "-1", "3196800000")).isFalse();
        assertThat(TopicCreator.needsChange("retention.ms", "604800000", "-1")).isTrue();
        assertThat(TopicCreator.needsChange("cleanup.policy", "compact", "delete")).isTrue();
        assertThat(TopicCreator.needsChange("cleanup.policy", "delete", "delete")).isFalse();
        assertThat(TopicCreator.needsChange("retention.bytes", "1073741824", "-1")).isTrue();
        assertThat(TopicCreator.needsChange("max.message.bytes", "1048588", "1048576")).isFalse();
    }
}
