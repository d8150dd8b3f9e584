package io.kindling.worker.report;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.Json;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Publishes reports with an idempotent, acks=all producer; each future completes on the acknowledgement. */
public final class KafkaReportPublisher implements ReportPublisher {
    private final Producer<String, byte[]> producer;
    private final String topic;

    /** Takes ownership of {@code producer}. */
    public KafkaReportPublisher(Producer<String, byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public CompletableFuture<Void> publish(AttemptReport report) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, report.jobId(), Json.encode(report)), (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(null);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
