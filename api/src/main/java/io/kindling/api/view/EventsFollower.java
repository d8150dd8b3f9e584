package io.kindling.api.view;

import com.fasterxml.jackson.core.JsonParseException;
import io.kindling.common.deadletter.DeadLetterPublisher;
import io.kindling.common.management.LoopLiveness;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reads the events topic into a {@link JobViewStore}. Every api instance must see every event, so
 * there is no consumer group: the follower assigns itself every partition (and, every
 * {@link #REFRESH}, any partition added since) and starts each where the store's last checkpoint
 * left it (the beginning for a new store); so a restart reads only the tail of the topic. It
 * checkpoints the store at least every {@link #CHECKPOINT_EVERY} (or {@link #CHECKPOINT_EVENTS}
 * events) while events arrive, and once more when it stops; every {@link #EXPIRE_EVERY} it has the
 * store forget the jobs past their retention. A stored offset beyond a partition's end means the
 * topic was recreated: the store is cleared and the topic read from the beginning.
 *
 * <p>One thread owns the consumer. {@link #caughtUp()} turns true once the follower has read up
 * to the end offsets the topic had when it started; {@link #close()} wakes the consumer and waits
 * for the thread. While Kafka cannot be reached the follower keeps trying; only an error that
 * retrying cannot cure stops it ({@link #failed()}).
 *
 * <p>No event can stop it (docs/lifecycle.md, "Bad records"): one that is not JSON, lacks a
 * required field, is keyed by something other than its job id, or names a job the store does not
 * know without being that job's first event (QUEUED or REJECTED) is dead-lettered with the reason
 * and skipped; so is one the store fails to apply {@value DeadLetterPublisher#MAX_TRIES} times.
 * Every api instance reads every event, so each dead-letters a bad one (once per instance).
 */
public final class EventsFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventsFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);
    static final Duration REFRESH = Duration.ofSeconds(30);
    private static final Duration WAIT_FOR_TOPIC = Duration.ofSeconds(1);
    /** Longest a metadata or offsets call may block the loop; on timeout it is tried again later. */
    private static final Duration KAFKA_CALL = Duration.ofSeconds(10);
    /**
     * A job written at every checkpoint it was changed in: at 200 ms a job that lives a second was
     * written five times, at 1 s about twice (the checkpoint was a third of the follower's CPU).
     */
    static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(1);
    static final int CHECKPOINT_EVENTS = 20_000;
    static final Duration EXPIRE_EVERY = Duration.ofMinutes(10);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final JobViewStore store;
    private final DeadLetterPublisher deadLetters;
    private final java.util.function.Supplier<String> topicId;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean caughtUp;
    private volatile boolean failed;
    private volatile long applied;
    private volatile LoopLiveness loop = LoopLiveness.unwatched("api.events");
    private boolean started; // guarded by this
    // consumer thread only
    private final Set<TopicPartition> assigned = new HashSet<>();
    private Map<TopicPartition, Long> catchUpTo; // null until known
    private long nextRefreshNanos;
    private Map<Integer, Long> stored; // the store's positions, read once
    private long sinceCheckpoint;
    private long lastCheckpointNanos = System.nanoTime();
    private long nextExpiryNanos = System.nanoTime();

    public EventsFollower(Consumer<String, byte[]> consumer, String topic, JobViewStore store, String threadName,
            DeadLetterPublisher deadLetters) {
        this(consumer, topic, store, threadName, () -> null, deadLetters);
    }

    /**
     * {@code topicId} tells Kafka's id of the topic (null if unknown), so that a store holding
     * offsets of an older topic of the same name is cleared rather than trusted. Bad events go to
     * {@code deadLetters} (its caller closes it).
     */
    public EventsFollower(Consumer<String, byte[]> consumer, String topic, JobViewStore store, String threadName,
            java.util.function.Supplier<String> topicId, DeadLetterPublisher deadLetters) {
        this.deadLetters = deadLetters;
        this.topicId = topicId;
        this.consumer = consumer;
        this.topic = topic;
        this.store = store;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /** Registers the follower's thread with the health registry's loop (its liveness; a test hook kills it). */
    public EventsFollower watchedBy(LoopLiveness liveness) {
        this.loop = liveness;
        return this;
    }

    /** False once the thread ended other than by {@link #close()} (an error: see the log). */
    public boolean alive() {
        return !running.get() || stopped.getCount() > 0;
    }

    public synchronized EventsFollower start() {
        if (!started && running.get()) {
            started = true;
            thread.start();
        }
        return this;
    }

    /** True once every event that was on the topic when the follower started has been applied. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** True if the follower stopped on an error it cannot recover from; the view no longer moves. */
    public boolean failed() {
        return failed;
    }

    /** Events applied so far (duplicates skipped are not counted). */
    public long applied() {
        return applied;
    }

    private void run() {
        MDC.clear();
        loop.enter();
        try {
            if (!assignAll()) {
                return;
            }
            checkCaughtUp();
            while (running.get()) {
                loop.beat();
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<String, byte[]> record : records) {
                    apply(record);
                }
                sinceCheckpoint += records.count();
                boolean wasCaughtUp = caughtUp;
                if (!caughtUp) {
                    checkCaughtUp();
                }
                maybeCheckpoint(caughtUp != wasCaughtUp);
                if (caughtUp && System.nanoTime() - nextExpiryNanos > 0) {
                    nextExpiryNanos = System.nanoTime() + EXPIRE_EVERY.toNanos();
                    store.expire();
                }
                if (System.nanoTime() - nextRefreshNanos > 0) {
                    assignNewPartitions();
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                failed = true;
                LOG.error("events follower woken up unexpectedly; the job view stops here", e);
            }
        } catch (RuntimeException e) {
            failed = true;
            LOG.error("events follower failed; the job view stops here", e);
        } finally {
            try {
                if (!failed) {
                    checkpoint();
                }
            } catch (RuntimeException e) {
                LOG.warn("the last checkpoint of the job store failed; the next start reads a little more", e);
            }
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("closing the events consumer failed", e);
            }
            stopped.countDown();
        }
    }

    /** Assigns every partition of the topic, waiting for the topic to exist; false if closed meanwhile. */
    private boolean assignAll() {
        boolean logged = false;
        while (running.get()) {
            if (assignNewPartitions()) {
                return true;
            }
            if (!logged) {
                LOG.info("topic {} does not exist yet; waiting for it", topic);
                logged = true;
            }
            try {
                if (closing.await(WAIT_FOR_TOPIC.toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Adds partitions not assigned yet, reading them from the beginning; true if any partition is assigned. */
    private boolean assignNewPartitions() {
        nextRefreshNanos = System.nanoTime() + REFRESH.toNanos();
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, KAFKA_CALL);
        } catch (RetriableException e) {
            LOG.warn("cannot list the partitions of {} yet: {}", topic, e.toString());
            return !assigned.isEmpty();
        }
        Set<TopicPartition> added = new HashSet<>();
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
            TopicPartition tp = new TopicPartition(info.topic(), info.partition());
            if (!assigned.contains(tp)) {
                added.add(tp);
            }
        }
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(Set.copyOf(assigned));
            seekToStored(added);
            if (catchUpTo != null) {
                LOG.info("topic {} has new partitions {}; reading them from the beginning", topic, added);
            }
        }
        return !assigned.isEmpty();
    }

    /** Starts each partition where the store left it, or at the beginning; clears the store if the topic was recreated. */
    private void seekToStored(Set<TopicPartition> added) {
        if (stored == null) {
            stored = store.positions(topic, topicId.get());
            LOG.info("the job store holds {} up to offsets {}", topic, stored);
        }
        Set<TopicPartition> fromStore = new HashSet<>();
        for (TopicPartition tp : added) {
            if (stored.containsKey(tp.partition())) {
                fromStore.add(tp);
            }
        }
        Set<TopicPartition> fromBeginning = new HashSet<>(added);
        fromBeginning.removeAll(fromStore);
        if (!fromStore.isEmpty()) {
            Map<TopicPartition, Long> ends = consumer.endOffsets(fromStore, KAFKA_CALL);
            for (TopicPartition tp : fromStore) {
                long next = stored.get(tp.partition());
                if (next > ends.getOrDefault(tp, 0L)) {
                    LOG.warn("the job store is ahead of {} (offset {} > end {}): the topic was recreated;"
                            + " clearing the store and reading the topic from the beginning", tp, next, ends.get(tp));
                    store.clear();
                    stored = Map.of();
                    consumer.seekToBeginning(assigned);
                    return;
                }
                consumer.seek(tp, next);
            }
        }
        if (!fromBeginning.isEmpty()) {
            consumer.seekToBeginning(fromBeginning);
        }
    }

    private void maybeCheckpoint(boolean now) {
        boolean due = System.nanoTime() - lastCheckpointNanos > CHECKPOINT_EVERY.toNanos();
        if (now || sinceCheckpoint >= CHECKPOINT_EVENTS || (due && (sinceCheckpoint > 0 || store.hasUnwritten()))) {
            checkpoint();
        }
    }

    /** Writes the store's changes with the position of every partition (all that precedes it is applied). */
    private void checkpoint() {
        Map<Integer, Long> positions = new java.util.HashMap<>();
        for (TopicPartition tp : assigned) {
            positions.put(tp.partition(), consumer.position(tp, KAFKA_CALL));
        }
        store.checkpoint(topic, positions);
        sinceCheckpoint = 0;
        lastCheckpointNanos = System.nanoTime();
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        JobEvent event;
        try {
            event = Json.decode(record.value(), JobEvent.class);
        } catch (RuntimeException e) {
            boolean empty = record.value() == null || record.value().length == 0;
            boolean malformed = empty || e.getCause() instanceof JsonParseException;
            deadLetters.refuse(record, null, malformed ? "MALFORMED_JSON" : "SCHEMA_VIOLATION", empty
                    ? "empty record: expected a JSON object"
                    : "unreadable event: " + (e.getCause() != null ? e.getCause() : e), List.of());
            return;
        }
        Refusal refusal = refusal(event, record.key());
        if (refusal != null) {
            deadLetters.refuse(record, event == null ? null : event.jobId(), refusal.reason(), refusal.message(), List.of());
            return;
        }
        try (MDC.MDCCloseable job = MDC.putCloseable("jobId", event.jobId())) {
            deadLetters.attempt(record, event.jobId(), () -> {
                if (store.apply(event)) {
                    applied++;
                    LOG.debug("applied {}", event.eventId());
                } else {
                    LOG.debug("skipped duplicate {}", event.eventId());
                }
            });
        }
    }

    private record Refusal(String reason, String message) {
    }

    /** Why an event cannot be applied, or null. */
    private Refusal refusal(JobEvent event, String key) {
        if (event == null || event.jobId() == null || event.eventId() == null || event.state() == null
                || event.time() == null) {
            return new Refusal("SCHEMA_VIOLATION", "missing one of the required fields jobId, eventId, state, time");
        }
        if (!event.jobId().equals(key)) {
            return new Refusal("INVALID", "record key '" + key + "' is not the job id '" + event.jobId() + "'");
        }
        if (event.state() != JobState.QUEUED && event.state() != JobState.REJECTED && store.get(event.jobId()).isEmpty()) {
            return new Refusal("NOT_FOUND", "unknown job '" + event.jobId() + "': its first event is " + event.state()
                    + ", not QUEUED or REJECTED");
        }
        return null;
    }

    /** Caught up once the position of every partition has reached its end offset as of start-up. */
    private void checkCaughtUp() {
        try {
            if (catchUpTo == null) {
                catchUpTo = consumer.endOffsets(assigned, KAFKA_CALL);
                long behind = 0;
                for (Map.Entry<TopicPartition, Long> end : catchUpTo.entrySet()) {
                    behind += Math.max(0, end.getValue() - consumer.position(end.getKey(), KAFKA_CALL));
                }
                LOG.info("reading {} ({} partitions, {} events to catch up with)", topic, assigned.size(), behind);
            }
            for (Map.Entry<TopicPartition, Long> end : catchUpTo.entrySet()) {
                if (consumer.position(end.getKey(), KAFKA_CALL) < end.getValue()) {
                    return;
                }
            }
        } catch (RetriableException e) {
            LOG.warn("cannot tell yet whether {} has been read to its end: {}", topic, e.toString());
            return;
        }
        caughtUp = true;
        store.markCaughtUp();
        LOG.info("caught up with {}", topic);
    }

    /** Stops reading, closes the consumer and waits for the thread (up to 15 s); an interrupt is kept, not thrown. */
    @Override
    public void close() {
        loop.stopped();
        synchronized (this) {
            running.set(false);
            if (!started) {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
                return;
            }
        }
        closing.countDown();
        consumer.wakeup();
        try {
            if (!stopped.await(15, TimeUnit.SECONDS)) {
                LOG.warn("events follower did not stop within 15 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
