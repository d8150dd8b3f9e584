package io.kindling.common.deadletter;

import io.kindling.schemas.InvalidMessageException;
import io.kindling.schemas.Json;
import io.kindling.schemas.Violation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Isolates the records a consumer outside the dispatcher cannot handle (a worker's run
 * assignments and controls, the api's events): each is written to the dead-letter topic in the
 * format {@link DeadLetters} bounds, with its reason and the name of the reader that refused it,
 * and the caller skips it. A record whose handling throws is tried {@value #MAX_TRIES} times
 * ({@link #attempt}) before it is dead-lettered {@code UNPROCESSABLE}. Writing waits for the
 * broker's acknowledgement (at most {@link #ACK}); a dead letter that cannot be written is logged
 * with the record's coordinates, reason and hash, and the record is skipped all the same: nothing
 * waits on the dead-letter topic. Counts {@code kindling.dead.letters} by reason. Thread-safe.
 */
public final class DeadLetterPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPublisher.class);
    /** Tries of a record whose handling throws, before it is dead-lettered. */
    public static final int MAX_TRIES = 3;
    static final Duration ACK = Duration.ofSeconds(30);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final String reader;
    private final MeterRegistry registry;
    private final Clock clock;

    /** Takes ownership of {@code producer}; {@code reader} names who refuses (e.g. "worker w-1, pool gpu"). */
    public DeadLetterPublisher(Producer<String, byte[]> producer, String topic, String reader, MeterRegistry registry,
            Clock clock) {
        this.producer = producer;
        this.topic = topic;
        this.reader = reader;
        this.registry = registry;
        this.clock = clock;
    }

    /** Dead-letters a record its reader refused as unreadable or invalid. */
    public boolean refuse(ConsumerRecord<String, byte[]> record, InvalidMessageException e) {
        return refuse(record, e.jobId().orElse(null), e.code().name(), e.getMessage(), e.details());
    }

    /** Dead-letters {@code record} with {@code reason}; true once the broker has it. Never throws. */
    public boolean refuse(ConsumerRecord<String, byte[]> record, String jobId, String reason, String message,
            List<Violation> details) {
        DeadLetters.Source source = new DeadLetters.Source(record.topic(), record.partition(), record.offset(),
                record.key(), record.value());
        try {
            var letter = DeadLetters.of(source, jobId, reason, reader + ": " + message, details, clock.instant());
            producer.send(new ProducerRecord<>(topic, letter.originalKey(), Json.encode(letter)))
                    .get(ACK.toMillis(), TimeUnit.MILLISECONDS);
            LOG.warn("dead-lettered {}-{}@{} (job {}): {}: {}", record.topic(), record.partition(), record.offset(),
                    jobId, reason, letter.message());
            Counter.builder("kindling.dead.letters").description("Records dead-lettered, by reason")
                    .tag("reason", reason).register(registry).increment();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            lost(record, reason, message, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            lost(record, reason, message, e);
        }
        return false;
    }

    /**
     * Runs {@code handler} for {@code record}, up to {@value #MAX_TRIES} times while it throws; then
     * dead-letters the record {@code UNPROCESSABLE} with the last error. True if it was handled.
     */
    public boolean attempt(ConsumerRecord<String, byte[]> record, String jobId, Runnable handler) {
        RuntimeException last = null;
        for (int tries = 1; tries <= MAX_TRIES; tries++) {
            try {
                handler.run();
                return true;
            } catch (WakeupException | InterruptException e) {
                throw e; // the consumer is being stopped: not the record's fault
            } catch (RuntimeException e) {
                last = e;
                LOG.warn("handling {}-{}@{} failed (try {} of {}): {}", record.topic(), record.partition(),
                        record.offset(), tries, MAX_TRIES, e.toString());
            }
        }
        refuse(record, jobId, "UNPROCESSABLE", "failed " + MAX_TRIES + " times: " + last, List.of());
        return false;
    }

    private void lost(ConsumerRecord<String, byte[]> record, String reason, String message, Exception e) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        LOG.error("cannot dead-letter {}-{}@{} ({} bytes, sha256 {}): {}: {}; skipping it ({})", record.topic(),
                record.partition(), record.offset(), value.length, DeadLetters.sha256(value), reason,
                DeadLetters.truncate(message, 2048), e.toString());
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
