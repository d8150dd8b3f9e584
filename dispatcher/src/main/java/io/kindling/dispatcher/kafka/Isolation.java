package io.kindling.dispatcher.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Finds the record that makes a transaction fail, so processing never depends on one record being
 * processable. After a batch's transaction failed, the records it held ("suspects") are read again
 * and published one transaction each; a record whose own transaction fails {@link #MAX_TRIES}
 * times is then dead-lettered (reason UNPROCESSABLE) and skipped. Failures a record cannot cause
 * (timeouts and other retriable broker errors, this instance being fenced) are not counted against it. Owned by the
 * dispatcher's thread; it outlives the sessions (a failed transaction ends the session).
 */
final class Isolation {
    static final int MAX_TRIES = 2;

    /** Per partition, the offset up to which (exclusive) records are published alone. */
    private final Map<TopicPartition, Long> suspectUntil = new HashMap<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<String, String> lastFailure = new HashMap<>();

    /** The batch's transaction failed: read its records again one by one. */
    void suspect(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            suspectUntil.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
        }
    }

    /** Whether any of these records must be published alone. */
    boolean covers(ConsumerRecords<String, byte[]> records) {
        if (suspectUntil.isEmpty()) {
            return false;
        }
        for (ConsumerRecord<String, byte[]> r : records) {
            Long until = suspectUntil.get(new TopicPartition(r.topic(), r.partition()));
            if (until != null && r.offset() < until) {
                return true;
            }
        }
        return false;
    }

    /** The record's own transaction failed. */
    void failed(ConsumerRecord<String, byte[]> record, KafkaException e) {
        if (notCausedByRecords(e)) {
            return;
        }
        failures.merge(coordinates(record), 1, Integer::sum);
        lastFailure.put(coordinates(record), describe(e));
    }

    /** The last failure, when the record has failed {@link #MAX_TRIES} times: dead-letter it instead. */
    Optional<String> givenUp(ConsumerRecord<String, byte[]> record) {
        return failures.getOrDefault(coordinates(record), 0) >= MAX_TRIES
                ? Optional.of(lastFailure.get(coordinates(record))) : Optional.empty();
    }

    /** The record's transaction committed. */
    void passed(ConsumerRecord<String, byte[]> record) {
        failures.remove(coordinates(record));
        lastFailure.remove(coordinates(record));
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        Long until = suspectUntil.get(tp);
        if (until != null && record.offset() + 1 >= until) {
            suspectUntil.remove(tp);
        }
    }

    /** Broker trouble (timeouts, retriable errors) or this instance being fenced: not the record's fault. */
    static boolean notCausedByRecords(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RetriableException || t instanceof ProducerFencedException
                    || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    /** The exception and its causes, one line. */
    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 1000; t = t.getCause()) {
            b.append(b.isEmpty() ? "" : " <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return b.toString();
    }

    private static String coordinates(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
