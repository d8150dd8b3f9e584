package io.kindling.dispatcher.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
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
 * and published one transaction each, and the timers' outputs one job per transaction; a record
 * whose own transaction fails {@link #MAX_TRIES} times is then dead-lettered (reason
 * UNPROCESSABLE) and skipped, and a job whose timer outputs fail {@link #MAX_TRIES} times is ended
 * FAILED (the dispatcher could not publish its records) so it stops holding the others back. Failures a record cannot cause
 * (timeouts and other retriable broker errors, this instance being fenced) are not counted against it. Owned by the
 * dispatcher's thread; it outlives the sessions (a failed transaction ends the session).
 */
final class Isolation {
    static final int MAX_TRIES = 2;

    /** Per partition, the offset up to which (exclusive) records are published alone. */
    private final Map<TopicPartition, Long> suspectUntil = new HashMap<>();
    /** Failures counted against a record ("topic-partition@offset") or a job's timer outputs ("job <id>"). */
    private final Map<String, Integer> failures = new HashMap<>();
    private final Map<String, String> lastFailure = new HashMap<>();
    /** The timers' outputs are published one job per transaction until they pass. */
    private boolean timersSuspect;

    /** The batch's transaction failed: read its records again one by one, and publish timers job by job. */
    void suspect(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            suspectUntil.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
        }
        timersSuspect = true;
    }

    /** Whether these records, or the timers, must be published in isolation. */
    boolean covers(ConsumerRecords<String, byte[]> records) {
        if (timersSuspect || !givenUpJobs().isEmpty()) {
            return true;
        }
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

    boolean timersSuspect() {
        return timersSuspect;
    }

    /** The timers' outputs, published job by job, all committed. */
    void timersPassed() {
        timersSuspect = false;
    }

    /** A transaction of one record's, or one job's, outputs failed. */
    void failed(String key, KafkaException e) {
        if (notCausedByRecords(e)) {
            return;
        }
        failures.merge(key, 1, Integer::sum);
        lastFailure.put(key, describe(e));
    }

    /** The last failure, once the record or job has failed {@link #MAX_TRIES} times: give it up. */
    Optional<String> givenUp(String key) {
        return failures.getOrDefault(key, 0) >= MAX_TRIES ? Optional.of(lastFailure.get(key)) : Optional.empty();
    }

    /** Jobs whose timer outputs failed {@link #MAX_TRIES} times: to be ended instead. */
    Set<String> givenUpJobs() {
        Set<String> jobs = new TreeSet<>();
        failures.forEach((key, count) -> {
            if (count >= MAX_TRIES && key.startsWith(JOB)) {
                jobs.add(key.substring(JOB.length()));
            }
        });
        return jobs;
    }

    /** The record's (or job's) transaction committed. */
    void passed(String key) {
        failures.remove(key);
        lastFailure.remove(key);
    }

    /** The record's transaction committed. */
    void passed(ConsumerRecord<String, byte[]> record) {
        passed(key(record));
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

    static String key(ConsumerRecord<String, byte[]> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    static String jobKey(String jobId) {
        return JOB + jobId;
    }

    private static final String JOB = "job ";
}
