package io.kindling.dispatcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.management.Management;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dispatcher's health and meters in the process's registries, against the shared broker. */
@ExtendWith(KafkaTestExtension.class)
class DispatcherHealthIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void readyOnceActiveAndNotLiveOnceItsLoopIsKilled(KafkaFixture kafka) throws Exception {
        Topics topics = new Topics(kafka.topicPrefix());
        try (Management management = Management.inMemory();
             DispatcherComponent dispatcher = DispatcherComponent.start(DispatcherIT.env(kafka), management)) {
            await().atMost(DEADLINE).until(() -> management.health().ready().ok());
            assertThat(management.health().ready().checks()).containsEntry("dispatcher.kafka", true)
                    .containsEntry("dispatcher", true);

            kafka.send(topics.commands(), "job-metered", DispatcherIT.VALID.formatted("job-metered").getBytes(UTF_8));
            kafka.send(topics.commands(), null, new byte[] {1, 2, 3});
            await().atMost(DEADLINE).untilAsserted(() -> assertThat(management.scrape())
                    .contains("kindling_jobs_submitted_total{pool=\"default\",tenant=\"default\"} 1.0")
                    .contains("kindling_dead_letters_total{reason=\"MALFORMED_JSON\"} 1.0")
                    .contains("kindling_dispatch_latency_seconds_count{pool=\"default\"} 1")
                    .contains("kindling_jobs{pool=\"default\",state=\"DISPATCHED\",tenant=\"default\"} 1.0")
                    .contains("kindling_jobs_finished_remembered 0.0") // the job has not ended
                    .contains("kindling_jobs_forgotten_early_total 0.0")
                    .contains("kindling_consumer_lag_records{group=\"kindling-dispatcher-" + topics.prefix() + "\"}")
                    .contains("kafka_consumer_fetch_manager_records_consumed_total"));

            management.health().loopNamed("dispatcher").orElseThrow().kill();
            // the killed thread dies of an uncaught error: the point, not a failure of the test
            await().atMost(DEADLINE).dontCatchUncaughtExceptions().until(() -> !management.health().live().ok());
            assertThat(management.health().live().checks()).containsEntry("dispatcher", false);
            assertThat(management.health().ready().ok()).isFalse();
        }
    }
}
