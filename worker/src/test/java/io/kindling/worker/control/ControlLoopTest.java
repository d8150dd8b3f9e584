package io.kindling.worker.control;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.clients.producer.MockProducer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kindling.common.deadletter.DeadLetterPublisher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.Json;
import io.kindling.schemas.WorkerControl;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ControlLoopTest {
    private static final String TOPIC = "t.workers.control";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final Duration LOOKBACK = Duration.ofMinutes(2);
    private final MockProducer<String, byte[]> deadLetterRecords = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());
    private final DeadLetterPublisher deadLetters = new DeadLetterPublisher(deadLetterRecords, "t.deadletter", "test",
            new SimpleMeterRegistry(), Clock.systemUTC());

    /** MockConsumer lacks offsetsForTimes: this one answers from a map (null: no record that recent). */
    private static final class TimedConsumer extends MockConsumer<String, byte[]> {
        private final Map<TopicPartition, Long> sinceLookback;
        private final List<Long> asked = new CopyOnWriteArrayList<>();

        TimedConsumer(Map<TopicPartition, Long> sinceLookback) {
            super("earliest");
            this.sinceLookback = sinceLookback;
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> query) {
            Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
            query.forEach((tp, time) -> {
                asked.add(time);
                Long offset = sinceLookback.get(tp);
                out.put(tp, offset == null ? null : new OffsetAndTimestamp(offset, time));
            });
            return out;
        }
    }

    @Test
    void waitsForTheTopicReadsEveryPartitionAndHandsOnCancelsOfItsPool() {
        MockConsumer<String, byte[]> consumer = new TimedConsumer(Map.of(P0, 0L, P1, 0L));
        List<WorkerControl> handled = new CopyOnWriteArrayList<>();
        try (ControlLoop loop = new ControlLoop(consumer, TOPIC, "gpu", LOOKBACK, Clock.fixed(NOW, ZoneOffset.UTC),
                handled::add, deadLetters).start()) {
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                    .until(() -> loop.alive() && !loop.caughtUp());

            consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
            consumer.updateEndOffsets(Map.of(P0, 2L, P1, 1L));
            consumer.schedulePollTask(() -> {
                consumer.addRecord(record(P0, 0, cancel("job-1", "gpu")));
                consumer.addRecord(record(P0, 1, cancel("job-2", "cpu")));
                consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "junk", "not json".getBytes(StandardCharsets.UTF_8)));
            });
            consumer.updatePartitions(TOPIC, List.of(info(0), info(1)));

            await().atMost(Duration.ofSeconds(5)).until(loop::caughtUp);
            assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
            assertThat(deadLetterRecords.history()).singleElement().satisfies(r -> assertThat(
                    io.kindling.schemas.Json.decode(r.value(), io.kindling.schemas.DeadLetter.class).reason())
                    .isEqualTo("MALFORMED_JSON"));
            assertThat(handled).extracting(WorkerControl::jobId).containsExactly("job-1");
            assertThat(loop.alive()).isTrue();
        }
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void startsAtTheControlsOfTheLookbackNotTheBeginning() {
        // P0: offsets 0-1 are older than the lookback; P1: nothing that recent, so it starts at its end
        TimedConsumer consumer = new TimedConsumer(Map.of(P0, 2L));
        List<WorkerControl> handled = new CopyOnWriteArrayList<>();
        consumer.updatePartitions(TOPIC, List.of(info(0), info(1)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.updateEndOffsets(Map.of(P0, 3L, P1, 5L));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 2, cancel("job-new", "gpu")));
        });
        try (ControlLoop loop = new ControlLoop(consumer, TOPIC, "gpu", LOOKBACK, Clock.fixed(NOW, ZoneOffset.UTC),
                handled::add, deadLetters).start()) {
            await().atMost(Duration.ofSeconds(5)).until(loop::caughtUp);
            assertThat(consumer.asked).containsOnly(NOW.minus(LOOKBACK).toEpochMilli());
            assertThat(consumer.position(P0)).isEqualTo(3L);
            assertThat(consumer.position(P1)).isEqualTo(5L);
            assertThat(handled).extracting(WorkerControl::jobId).containsExactly("job-new");
        }
    }

    private static ConsumerRecord<String, byte[]> record(TopicPartition tp, long offset, WorkerControl control) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, control.jobId(), Json.encode(control));
    }

    private static WorkerControl cancel(String jobId, String pool) {
        return new WorkerControl(WorkerControl.Type.CANCEL, jobId, 1, jobId + "-a1", pool, FailureReason.CANCELLED, null,
                Instant.now());
    }

    private static PartitionInfo info(int partition) {
        return new PartitionInfo(TOPIC, partition, Node.noNode(), new Node[0], new Node[0]);
    }
}
