package io.kindling.worker;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.Json;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes events with an idempotent, acks=all producer and waits for each acknowledgement. */
public final class KafkaEventPublisher implements EventPublisher {
    /** A little longer than the producer's delivery timeout, which bounds every send. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(40);

    private final Producer<String, byte[]> producer;
    private final String topic;

    /** Takes ownership of {@code producer}. */
    public KafkaEventPublisher(Producer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public void publish(JobEvent event) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topic, event.jobId(), Json.encode(event)))
                    .get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("publishing " + event.eventId() + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("publishing " + event.eventId() + " was not acknowledged within " + ACK_TIMEOUT, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
