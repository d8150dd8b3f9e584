package io.kindling.dispatcher.kafka;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.dispatcher.lifecycle.JobSnapshot;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
import io.kindling.schemas.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the state topic (live jobs) and the finished jobs' topic into a state machine: a standby
 * keeps it current while it waits (warm standby), so taking over only reads what the last leader
 * committed since. Taking over waits for the live jobs only ({@link #catchUp}); the finished jobs
 * are read by a {@link FinishedLoader} in the background and folded in between polls
 * ({@link #drainFinished}) until {@link #finishedLoaded}. A machine that has decided is dropped
 * ({@link #reset}) when its term ends: its memory may hold decisions whose transaction never
 * committed. The state topic also holds the checkpoint of the finished jobs' filter
 * ({@link FilterCheckpoint}): extended at each catch-up to the finished jobs' topic's end, it tells
 * which ids certainly have no finished job ({@link #waitsForFinished}) before the load is done.
 * Owned by the dispatcher's thread.
 */
final class StateTail implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateTail.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long one call folds finished jobs at most: a new job's submit is polled in between. */
    private static final Duration FOLD_BUDGET = Duration.ofMillis(50);
    /** A standby starts loading the finished jobs after this long (a process that leads at once never does). */
    private static final Duration STANDBY_LOAD_DELAY = Duration.ofSeconds(10);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Supplier<JobStateMachine> machines;
    private final KafkaClients clients;
    private final List<TopicPartition> partitions;
    private final List<TopicPartition> finishedPartitions;
    private FinishedLoader finished;
    /** Each finished jobs' partition's position as far as its records are folded into the machine. */
    private final Map<TopicPartition, Long> finishedFolded = new HashMap<>();
    /** The finished jobs' topic's end when the last catch-up began: loaded once folded that far. */
    private Map<TopicPartition, Long> finishedTarget = Map.of();
    private final FilterCheckpoint checkpoint = new FilterCheckpoint();
    /** The finished jobs' filter as of the last catch-up, extended to its target; null if there is none. */
    private FinishedFilter filter;
    /** How many keys the last catch-up added to the checkpointed filter (-1: no usable checkpoint). */
    private long filterExtended = -1;
    private JobStateMachine machine;
    private boolean marked;
    private long standbySince = System.nanoTime();
    private long records;

    StateTail(KafkaClients clients, String topic, String finishedTopic, Supplier<JobStateMachine> machines) {
        this.clients = clients;
        this.consumer = clients.consumer(null, "kindling-dispatcher-state", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"));
        this.machines = machines;
        this.partitions = partitions(topic);
        this.finishedPartitions = partitions(finishedTopic);
        consumer.assign(partitions);
        reset();
    }

    private List<TopicPartition> partitions(String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /** Starts over from the beginning with a fresh machine. */
    void reset() {
        machine = machines.get();
        marked = false;
        records = 0;
        checkpoint.clear();
        filter = null;
        consumer.seekToBeginning(partitions);
        restartFinished();
        standbySince = System.nanoTime();
    }

    /** The next fold of the finished jobs starts a new loader from the beginning. */
    private void restartFinished() {
        if (finished != null) {
            finished.close();
            finished = null;
        }
        finishedFolded.clear();
    }

    /** Folds what arrived within {@code timeout} (a standby calls this while it waits). */
    void poll(Duration timeout) {
        if (System.nanoTime() - standbySince > STANDBY_LOAD_DELAY.toNanos()) {
            startFinished(); // a warm standby has the finished jobs too, but a start that leads at once reads its live jobs first
        }
        boolean folding = drainFinished();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(folding ? Duration.ZERO : timeout)) {
            apply(record);
        }
    }

    /**
     * Folds the live jobs' records committed up to the state topic's end as it stands now; true if
     * the topic held a full state. The finished jobs' topic's end is noted: {@link #finishedLoaded}
     * once the background load has folded that far.
     */
    boolean catchUp(BooleanSupplier running) {
        finishedTarget = consumer.endOffsets(finishedPartitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (running.getAsBoolean() && !caughtUp(end)) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                apply(record);
            }
        }
        filter = checkpoint.latest().orElse(null);
        filterExtended = filter == null ? -1 : FilterExtension.extend(clients, filter, finishedTarget, running);
        if (filterExtended < 0) {
            filter = null;
        }
        return marked;
    }

    /**
     * True if a record naming this job must wait for the finished jobs' load: the machine does not
     * know it and the filter (extended to the finished jobs committed before the last catch-up) may
     * hold it ({@link FinishedFilter#waits}).
     */
    boolean waitsForFinished(String jobId) {
        return FinishedFilter.waits(machine, filter, jobId);
    }

    /** How many keys the last catch-up added to the checkpointed filter; -1 if it found no usable checkpoint. */
    long filterExtended() {
        return filter == null ? -1 : filterExtended;
    }

    /**
     * A checkpoint of the finished jobs' filter, built when called (off the dispatcher's thread):
     * every id the machine knows now (a superset of the finished jobs' keys folded so far),
     * covering the offsets folded so far.
     */
    Supplier<List<ProducerRecord<String, byte[]>>> filterCheckpoint(String topic, Instant now) {
        Map<Integer, Long> covers = new HashMap<>();
        finishedFolded.forEach((partition, offset) -> covers.put(partition.partition(), offset));
        List<String> ids = List.copyOf(machine.knownIds());
        return () -> FilterCheckpoint.records(topic, FinishedFilter.of(ids, covers), now);
    }

    /**
     * Folds the finished jobs the background loader has read since the last call, for at most
     * {@link #FOLD_BUDGET} (so the dispatcher's thread polls its inputs in between); true if
     * batches are left.
     */
    boolean drainFinished() {
        if (finished != null && finished.failed()) {
            restartFinished(); // folding again from the beginning is harmless: a record replaces its own
            startFinished();
        }
        if (finished == null) {
            return false;
        }
        long started = System.nanoTime();
        FinishedLoader.Batch batch;
        while ((batch = finished.next()) != null) {
            for (FinishedLoader.Loaded job : batch.jobs()) {
                if (job.snapshot() == null) {
                    machine.forgetFinished(job.jobId());
                } else {
                    machine.restoreFinished(job.snapshot());
                }
            }
            finishedFolded.putAll(batch.positions());
            if (System.nanoTime() - started > FOLD_BUDGET.toNanos()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts the background load of the finished jobs if it is not running: the active dispatcher
     * once its inputs are read up to their end (a new job's submit first), a standby after
     * {@link #STANDBY_LOAD_DELAY}.
     */
    void startFinished() {
        if (finished == null) {
            finished = new FinishedLoader(clients, finishedPartitions);
        }
    }

    /** True if the background load runs (or has run) in this term. */
    boolean finishedStarted() {
        return finished != null;
    }

    /** True once the finished jobs committed before the last catch-up are all folded into the machine. */
    boolean finishedLoaded() {
        for (Map.Entry<TopicPartition, Long> e : finishedTarget.entrySet()) {
            if (finishedFolded.getOrDefault(e.getKey(), -1L) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** The machine folded so far. */
    JobStateMachine machine() {
        return machine;
    }

    long records() {
        return records;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        records++;
        try {
            if (StateMarker.KEY.equals(record.key())) {
                marked = true;
            } else if (FilterCheckpoint.reserved(record.key())) {
                checkpoint.accept(record.key(), record.value());
            } else if (record.value() == null) {
                machine.forget(record.key());
            } else {
                JobSnapshot snapshot = Json.decode(record.value(), JobSnapshot.class);
                String problem = snapshot.problem(record.key());
                if (problem != null) {
                    LOG.error("state {}-{}@{}: record skipped ({})", record.topic(), record.partition(), record.offset(),
                            problem);
                } else {
                    machine.restore(snapshot);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("state {}-{}@{}: unreadable record skipped ({})", record.topic(), record.partition(), record.offset(),
                    e.toString());
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        restartFinished();
        consumer.close(Duration.ofSeconds(5));
    }
}
