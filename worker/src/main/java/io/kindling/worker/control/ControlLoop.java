package io.kindling.worker.control;

import io.kindling.common.deadletter.DeadLetterPublisher;
import io.kindling.schemas.AttemptId;
import io.kindling.schemas.InvalidMessageException;
import io.kindling.schemas.MessageLimits;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.SchemaValidator;
import io.kindling.schemas.WorkerControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the control topic, every partition (no consumer group: every worker sees every control),
 * on a thread of its own, and hands each control for this worker's pool to {@code handler}.
 *
 * <p>It starts from the controls written in the last {@code lookback} (the first offset of each
 * partition whose timestamp is at most that old, found with {@code offsetsForTimes}), not from
 * the beginning: a worker is ready after reading a bounded tail, however long the topic's
 * history. Older controls are moot: a cancel names an attempt, and an attempt whose worker has
 * not reported for a lease is stopped by its own worker (self-fencing, at 2/3 of the lease) and
 * declared LOST by the dispatcher; so a lookback of a few leases still shows a restarted worker
 * every cancel sent while it was down that concerns an attempt it can adopt. The handler ignores
 * controls for attempts it does not hold (and remembers them, in case the attempt comes later).
 * {@link #caughtUp()} turns true once it has read up to where the topic ended when it started.
 *
 * <p>A control it cannot read (any bytes, the schema, ids that disagree, a key that is not the job
 * id) is dead-lettered with the reason and skipped, by every worker that reads it (the topic has
 * no group); so is one whose handling throws {@value DeadLetterPublisher#MAX_TRIES} times.
 */
public final class ControlLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlLoop.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer;
    private final String topic;
    private final String pool;
    private final Consumer<WorkerControl> handler;
    private final DeadLetterPublisher deadLetters;
    private final MessageReader reader = new MessageReader(new SchemaValidator(), MessageLimits.KAFKA_RECORD_BYTES);
    private final Duration lookback;
    private final Clock clock;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean caughtUp;

    /**
     * Takes ownership of {@code consumer} (a consumer without a group), which it closes when it
     * stops; reads the controls of the last {@code lookback} (by {@code clock}) and every later one;
     * refuses bad ones to {@code deadLetters}.
     */
    public ControlLoop(org.apache.kafka.clients.consumer.Consumer<String, byte[]> consumer, String topic, String pool,
            Duration lookback, Clock clock, Consumer<WorkerControl> handler, DeadLetterPublisher deadLetters) {
        this.deadLetters = deadLetters;
        this.consumer = consumer;
        this.topic = topic;
        this.pool = pool;
        this.lookback = lookback;
        this.clock = clock;
        this.handler = handler;
        this.thread = new Thread(this::run, "control-" + pool);
    }

    public ControlLoop start() {
        thread.start();
        return this;
    }

    /** False once the thread has ended (closed, or failed: see the log). */
    public boolean alive() {
        return stopped.getCount() > 0;
    }

    /** True once every control that existed at start has been handled. */
    public boolean caughtUp() {
        return caughtUp;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            if (partitions == null) {
                return;
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            seekToLookback(partitions, end);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    handle(record);
                }
                if (!caughtUp) {
                    end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                    caughtUp = end.isEmpty();
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("control loop failed; this worker no longer sees cancels", e);
        } finally {
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("closing the control consumer failed", e);
            }
            stopped.countDown();
        }
    }

    /** Positions each partition at its first control not older than the lookback, or at its end if there is none. */
    private void seekToLookback(List<TopicPartition> partitions, Map<TopicPartition, Long> end) {
        long since = clock.instant().minus(lookback).toEpochMilli();
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, since));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        long skipped = 0;
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            long offset = at != null ? at.offset() : end.getOrDefault(tp, 0L);
            consumer.seek(tp, offset);
            skipped += Math.max(0, offset);
        }
        LOG.info("reading controls from {} ({} partitions) written since {} (skipping up to {} older ones)", topic,
                partitions.size(), Instant.ofEpochMilli(since), skipped);
    }

    /** Waits for the topic's partitions to be known; null when closed first. */
    private List<TopicPartition> partitions() {
        while (running) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            }
            LOG.info("waiting for topic {} to exist", topic);
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        WorkerControl control;
        try {
            control = reader.read(record.value(), SchemaValidator.Schema.WORKER_CONTROL, WorkerControl.class);
        } catch (InvalidMessageException e) {
            deadLetters.refuse(record, e);
            return;
        }
        if (control.pool() != null && !control.pool().equals(pool)) {
            return; // another pool's
        }
        String problem = problem(control, record.key());
        if (problem != null) {
            deadLetters.refuse(record, control.jobId(), "INVALID", problem, List.of());
            return;
        }
        deadLetters.attempt(record, control.jobId(), () -> handler.accept(control));
    }

    /** Why a control that passed the schema cannot be acted on, or null. */
    static String problem(WorkerControl control, String key) {
        if (!AttemptId.of(control.jobId(), control.attempt()).equals(control.attemptId())) {
            return "attemptId '" + control.attemptId() + "' is not attempt " + control.attempt() + " of job '"
                    + control.jobId() + "'";
        }
        if (!control.jobId().equals(key)) {
            return "record key '" + key + "' is not the job id '" + control.jobId() + "'";
        }
        return null;
    }

    @Override
    public void close() {
        running = false;
        if (thread.getState() == Thread.State.NEW) {
            consumer.close();
            return;
        }
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            LOG.debug("wakeup failed", e);
        }
        try {
            if (!stopped.await(15, TimeUnit.SECONDS) && thread.isAlive()) {
                LOG.warn("control thread did not stop within 15 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
