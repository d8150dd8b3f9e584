package io.kindling.common.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class DeadLetterPublisherTest {
    private static final ConsumerRecord<String, byte[]> RECORD = new ConsumerRecord<>("t.runs.default", 2, 41L, "job-1",
            new byte[] {1, 2, 3});

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private DeadLetterPublisher publisher(MockProducer<String, byte[]> producer) {
        return new DeadLetterPublisher(producer, "t.deadletter", "worker w-1", registry,
                Clock.fixed(Instant.parse("2026-12-05T10:00:00Z"), ZoneOffset.UTC));
    }

    private static MockProducer<String, byte[]> producer(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
    }

    @Test
    void aRefusedRecordIsWrittenWithItsCoordinatesReasonAndReaderAndCounted() {
        MockProducer<String, byte[]> producer = producer(true);
        assertThat(publisher(producer).refuse(RECORD, "job-1", "INVALID", "bad pool", List.of())).isTrue();

        DeadLetter letter = Json.decode(producer.history().get(0).value(), DeadLetter.class);
        assertThat(producer.history().get(0).topic()).isEqualTo("t.deadletter");
        assertThat(letter.sourceTopic()).isEqualTo("t.runs.default");
        assertThat(letter.sourcePartition()).isEqualTo(2);
        assertThat(letter.sourceOffset()).isEqualTo(41L);
        assertThat(letter.reason()).isEqualTo("INVALID");
        assertThat(letter.message()).isEqualTo("worker w-1: bad pool");
        assertThat(letter.originalSize()).isEqualTo(3);
        assertThat(registry.get("kindling.dead.letters").tag("reason", "INVALID").counter().count()).isEqualTo(1.0);
    }

    @Test
    void aHandlerThatKeepsThrowingIsTriedABoundedNumberOfTimesThenDeadLettered() {
        MockProducer<String, byte[]> producer = producer(true);
        AtomicInteger tries = new AtomicInteger();

        boolean handled = publisher(producer).attempt(RECORD, "job-1", () -> {
            tries.incrementAndGet();
            throw new IllegalStateException("cursed");
        });

        assertThat(handled).isFalse();
        assertThat(tries).hasValue(DeadLetterPublisher.MAX_TRIES);
        DeadLetter letter = Json.decode(producer.history().get(0).value(), DeadLetter.class);
        assertThat(letter.reason()).isEqualTo("UNPROCESSABLE");
        assertThat(letter.message()).contains("failed 3 times").contains("cursed");
    }

    @Test
    void aHandlerThatSucceedsOnASecondTryWritesNothing() {
        MockProducer<String, byte[]> producer = producer(true);
        AtomicInteger tries = new AtomicInteger();

        boolean handled = publisher(producer).attempt(RECORD, "job-1", () -> {
            if (tries.incrementAndGet() == 1) {
                throw new IllegalStateException("once");
            }
        });

        assertThat(handled).isTrue();
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void aDeadLetterTheBrokerRefusesIsLoggedAndTheCallerMovesOn() {
        MockProducer<String, byte[]> producer = producer(false);
        DeadLetterPublisher publisher = publisher(producer);
        // fails the send once the publisher has made it (errorNext is false while no send is pending)
        Thread failer = new Thread(() -> await("the dead letter's send").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(1))
                .until(() -> producer.errorNext(new org.apache.kafka.common.errors.RecordTooLargeException("no"))));
        failer.start();

        assertThat(publisher.refuse(RECORD, null, "MALFORMED_JSON", "noise", List.of())).isFalse();
    }
}
