package io.kindling.dispatcher.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the finished jobs' filter's checkpoint ({@link FilterCheckpoint}) on the state topic in a
 * transaction of its own: once the finished jobs are loaded in a term, then every {@link #EVERY},
 * and at a graceful stop. The filter is built off the dispatcher's thread from a copy of the ids
 * taken on it (hashing a million ids takes a while); the thread publishes it once built. A
 * checkpoint changes no job's state, so a failed one is only logged: the previous checkpoint
 * stays, and the next start extends it further.
 */
final class FilterCheckpointWriter {
    private static final Logger LOG = LoggerFactory.getLogger(FilterCheckpointWriter.class);
    /** How often a checkpoint is written: what a start after a kill -9 reads beyond it is this long's finished jobs. */
    static final Duration EVERY = Duration.ofMinutes(10);

    private final String topic;
    private long startedAt;
    private boolean started;
    /** The checkpoint being built, if any. */
    private CompletableFuture<List<ProducerRecord<String, byte[]>>> building;

    FilterCheckpointWriter(String topic) {
        this.topic = topic;
    }

    /** A new term: the first checkpoint is due as soon as the finished jobs are loaded. */
    void newTerm() {
        started = false;
        building = null; // still a true checkpoint of the last term's machine, but that machine is gone: built again
    }

    /**
     * Called between polls once the finished jobs are loaded: starts building a checkpoint when one
     * is due (none yet this term, or the last one {@link #EVERY} ago), publishes one that is built.
     */
    void step(KafkaProducer<String, byte[]> producer, StateTail tail, Instant now) {
        if (building == null) {
            if (!started || System.nanoTime() - startedAt > EVERY.toNanos()) {
                started = true;
                startedAt = System.nanoTime();
                Supplier<List<ProducerRecord<String, byte[]>>> records = tail.filterCheckpoint(topic, now);
                building = CompletableFuture.supplyAsync(records,
                        r -> Thread.ofPlatform().daemon().name("dispatcher-filter-checkpoint").start(r));
            }
            return;
        }
        if (building.isDone()) {
            CompletableFuture<List<ProducerRecord<String, byte[]>>> built = building;
            building = null;
            if (built.isCompletedExceptionally()) {
                LOG.warn("dispatcher: building the finished jobs' filter failed", built.exceptionNow());
                return;
            }
            publish(producer, built.join(), startedAt);
        }
    }

    /** A checkpoint built and published now (a graceful stop). */
    void writeNow(KafkaProducer<String, byte[]> producer, StateTail tail, Instant now) {
        long began = System.nanoTime();
        publish(producer, tail.filterCheckpoint(topic, now).get(), began);
    }

    private static void publish(KafkaProducer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records,
            long began) {
        producer.beginTransaction();
        try {
            records.forEach(producer::send);
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("dispatcher: the finished jobs' filter's checkpoint failed ({}); the previous one stays", e.toString());
            producer.abortTransaction();
            return;
        }
        LOG.info("dispatcher: finished jobs' filter checkpointed ({} records, {} ms after it was begun)", records.size(),
                (System.nanoTime() - began) / 1_000_000);
    }
}
