package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaAcls;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.LiveWorkers;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.common.management.Management;
import io.kindling.schemas.JobWaiting;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On a real broker: a pool is live while a member of its worker group holds a partition of its
 * runs topic, and only then; its gauge follows.
 */
@ExtendWith(KafkaTestExtension.class)
class LiveWorkersIT {
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void aPoolWaitsUntilAMemberOfItsWorkerGroupHoldsItsRunsTopicAndAgainOnceItLeaves(KafkaFixture kafka) throws Exception {
        // worker groups are not named after the topic prefix: a pool name of its own keeps this test apart
        String pool = "live-" + UUID.randomUUID().toString().substring(0, 8);
        KafkaConfig config = KafkaConfig.fromEnv(Map.of("KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix("live")));
        KafkaClients clients = new KafkaClients(config);
        String runs = config.topics().runs(pool);
        new TopicCreator(clients).ensure(List.of(runs), Duration.ofSeconds(30));
        Management management = Management.inMemory();
        try (management;
                LiveWorkers live = new LiveWorkers(clients, List.of(pool), management, Clock.systemUTC(), Duration.ofMillis(300))) {
            await().atMost(DEADLINE).until(() -> live.waiting(pool).isPresent());
            JobWaiting none = live.waiting(pool).orElseThrow();
            assertThat(none.reason()).isEqualTo(JobWaiting.Reason.NO_LIVE_WORKER);
            assertThat(none.message()).startsWith("no live worker serves pool '" + pool + "' (none seen since ")
                    .endsWith("start a worker with KINDLING_WORKER_POOL=" + pool);
            assertThat(gauge(management, pool)).isZero();

            // what a worker of the pool does to take work: join the group, subscribed to the runs topic
            try (KafkaConsumer<String, byte[]> worker = clients.consumer(KafkaAcls.workerGroup(pool), "live-it", Map.of())) {
                worker.subscribe(List.of(runs));
                await().atMost(DEADLINE).pollInSameThread().until(() -> {
                    worker.poll(Duration.ofMillis(100));
                    return live.waiting(pool).isEmpty();
                });
                assertThat(gauge(management, pool)).isEqualTo(1.0);
            }

            // it left the group (closed): the pool waits again, and says when a worker was last seen
            await().atMost(DEADLINE).until(() -> live.waiting(pool).isPresent());
            assertThat(live.waiting(pool).orElseThrow().message()).contains("(last seen ");
            assertThat(gauge(management, pool)).isZero();
        }
    }

    private static double gauge(Management management, String pool) {
        return management.registry().get("kindling.pool.live.workers").tag("pool", pool).gauge().value();
    }
}
