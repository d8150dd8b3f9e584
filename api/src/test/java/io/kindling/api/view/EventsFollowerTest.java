package io.kindling.api.view;

import static org.assertj.core.api.Assertions.tuple;
import io.kindling.schemas.DeadLetter;
import java.time.Clock;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.clients.producer.MockProducer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kindling.common.deadletter.DeadLetterPublisher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The follower's loop against Kafka's own consumer fake; ApiIT runs it against a broker. */
class EventsFollowerTest {
    private static final String TOPIC = "t.jobs.events";
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final JobSpec SPEC = new JobSpec("pi", null, new Application(ApplicationType.PYTHON, "/a.py", null, null),
            null, null, null, null, null, null, null, null, null, null, null, null);

    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<String, byte[]> deadLetterRecords = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());
    private final DeadLetterPublisher deadLetters = new DeadLetterPublisher(deadLetterRecords, "t.deadletter", "test",
            new SimpleMeterRegistry(), Clock.systemUTC());
    private final JobViewStore store = new JobViewStore();
    private final EventsFollower follower = new EventsFollower(consumer, TOPIC, store, "test-events", deadLetters);

    @AfterEach
    void close() {
        follower.close();
        assertThat(consumer.closed()).isTrue();
    }

    @Test
    void readsEveryPartitionFromTheBeginningAndCatchesUp() {
        topic(Map.of(P0, 2L, P1, 1L));
        RunAssignment run = RunAssignment.of("job-a", 1, SPEC, T0);
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 0, "job-a", Json.encode(
                    JobEvents.job("job-a", JobState.QUEUED, T0).spec(SPEC).build())));
            consumer.addRecord(record(P0, 1, "job-a", Json.encode(
                    JobEvents.attempt(run, JobState.RUNNING, T0.plusSeconds(1)).build())));
            consumer.addRecord(record(P1, 0, "job-b", Json.encode(
                    JobEvents.job("job-b", JobState.QUEUED, T0).spec(SPEC).build())));
        });

        follower.start();

        await().atMost(DEADLINE).until(follower::caughtUp);
        assertThat(store.get("job-a")).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(JobState.RUNNING));
        assertThat(store.get("job-b")).hasValueSatisfying(v -> assertThat(v.state()).isEqualTo(JobState.QUEUED));
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
        assertThat(follower.applied()).isEqualTo(3);
        assertThat(follower.failed()).isFalse();
    }

    @Test
    void anEmptyTopicIsCaughtUpAtOnce() {
        topic(Map.of(P0, 0L, P1, 0L));

        follower.start();

        await().atMost(DEADLINE).until(follower::caughtUp);
        assertThat(store.size()).isZero();
    }

    @Test
    void waitsForTheTopicToExist() {
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        follower.start();
        await().during(Duration.ofMillis(300)).atMost(DEADLINE).until(() -> !follower.caughtUp());

        topic(Map.of(P0, 0L, P1, 0L));

        await().atMost(DEADLINE).until(follower::caughtUp);
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
    }

    @Test
    void deadLettersBadRecordsAndSkipsDuplicates() {
        topic(Map.of(P0, 8L, P1, 0L));
        byte[] queued = Json.encode(JobEvents.job("job-c", JobState.QUEUED, T0).spec(SPEC).build());
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 0, "job-c", "not json".getBytes(StandardCharsets.UTF_8)));
            consumer.addRecord(record(P0, 1, "job-c", "{}".getBytes(StandardCharsets.UTF_8)));
            consumer.addRecord(record(P0, 2, "job-c", queued));
            consumer.addRecord(record(P0, 3, "job-c", queued));
            consumer.addRecord(record(P0, 4, "liar", queued));
            consumer.addRecord(record(P0, 5, "ghost", Json.encode(
                    JobEvents.job("ghost", JobState.RUNNING, T0).build())));
            consumer.addRecord(record(P0, 6, "job-c", null));
            consumer.addRecord(record(P0, 7, "job-c", "{\"state\":17}".getBytes(StandardCharsets.UTF_8)));
        });

        follower.start();

        await().atMost(DEADLINE).until(follower::caughtUp);
        assertThat(store.get("job-c")).isPresent();
        assertThat(store.get("ghost")).isEmpty();
        assertThat(follower.applied()).isEqualTo(1);
        assertThat(deadLetterRecords.history()).extracting(r -> Json.decode(r.value(), DeadLetter.class))
                .extracting(DeadLetter::sourceOffset, DeadLetter::reason)
                .containsExactly(tuple(0L, "MALFORMED_JSON"), tuple(1L, "SCHEMA_VIOLATION"), tuple(4L, "INVALID"),
                        tuple(5L, "NOT_FOUND"), tuple(6L, "MALFORMED_JSON"), tuple(7L, "SCHEMA_VIOLATION"));
    }

    @Test
    void aFatalConsumerErrorIsReported() {
        topic(Map.of(P0, 1L, P1, 0L));
        consumer.setPollException(new KafkaException("authorization revoked"));

        follower.start();

        await().atMost(DEADLINE).until(follower::failed);
        assertThat(follower.caughtUp()).isFalse();
    }

    private void topic(Map<TopicPartition, Long> endOffsets) {
        Node node = new Node(1, "localhost", 9092);
        consumer.updatePartitions(TOPIC, endOffsets.keySet().stream()
                .sorted(java.util.Comparator.comparingInt(TopicPartition::partition))
                .map(tp -> new PartitionInfo(TOPIC, tp.partition(), node, new Node[] {node}, new Node[] {node}))
                .toList());
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        consumer.updateEndOffsets(endOffsets);
    }

    private static ConsumerRecord<String, byte[]> record(TopicPartition tp, long offset, String key, byte[] value) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, key, value);
    }
}
