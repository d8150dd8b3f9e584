package io.kindling.worker.intake;

import io.kindling.common.deadletter.DeadLetterPublisher;
import io.kindling.common.tracing.TraceContext;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.AttemptLog;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The one thread that owns the consumer of a pool's runs topic. It hands each run assignment to
 * {@link Attempts} while fewer than {@code capacity} attempts run; at capacity it pauses its
 * partitions and keeps polling (so it stays in the group), and resumes when a slot frees.
 * Records it could not take yet are sought back to, so they come again after the resume.
 *
 * <p>A record it cannot read ({@link RunIntake}: any bytes, the schema, a key or pool that is not
 * the assignment's) is dead-lettered with the reason and skipped; so is one whose hand-over throws
 * {@value DeadLetterPublisher#MAX_TRIES} times ({@code UNPROCESSABLE}). A redelivered or replayed
 * assignment of an attempt held or ended here is skipped.
 *
 * <p>Attempts report back through a queue plus {@code wakeup()}. A record's offset is committed
 * once its attempt has started (launched, SUBMITTING acknowledged) and every earlier record of
 * its partition is done, so a crash before that delivers it again.
 */
public final class RunLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunLoop.class);
    private static final Duration POLL = Duration.ofMillis(500);
    /** How long a revocation waits for attempts of its partitions that are starting. */
    private static final Duration REVOKE_WAIT = Duration.ofSeconds(10);

    private final String name;
    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final DeadLetterPublisher deadLetters;
    private final RunIntake intake;
    private final int capacity;
    private final Attempts attempts;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Queue<Signal> signals = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile boolean accepting = true;
    private volatile boolean assigned;
    /** True while the consumer thread is in {@code poll} and no signal has woken it yet. */
    private final AtomicBoolean polling = new AtomicBoolean();

    // consumer thread only
    private final OffsetTracker offsets = new OffsetTracker();
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    private boolean full;

    private sealed interface Signal {
    }

    private record Started(TopicPartition partition, long offset) implements Signal {
    }

    private record Finished() implements Signal {
    }

    /**
     * Takes ownership of {@code consumer}, which it closes when it stops; reads {@code topic}, the
     * runs topic of {@code pool}, and refuses bad records to {@code deadLetters}.
     */
    public RunLoop(String name, Consumer<String, byte[]> consumer, String topic, String pool, int capacity,
            Attempts attempts, DeadLetterPublisher deadLetters) {
        this.name = name;
        this.consumer = consumer;
        this.topic = topic;
        this.deadLetters = deadLetters;
        this.intake = new RunIntake(pool, deadLetters);
        this.capacity = capacity;
        this.attempts = attempts;
        this.thread = new Thread(this::run, name);
    }

    public RunLoop start() {
        thread.start();
        return this;
    }

    /** True once the group has assigned this consumer partitions at least once. */
    public boolean assigned() {
        return assigned;
    }

    /** False once the consumer thread has ended (closed, or failed: see the log). */
    public boolean alive() {
        return stopped.getCount() > 0;
    }

    /** Takes no new run assignments from now on (they stay on the topic); keeps committing started ones. */
    public void stopTakingWork() {
        accepting = false;
        wakeup();
    }

    /** Commits what has started, closes the consumer and waits for the thread. */
    @Override
    public void close() {
        accepting = false;
        running = false;
        wakeup();
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                LOG.warn("{}: consumer thread did not stop within 30 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (running) {
                try {
                    applySignals();
                    commit();
                    adjustFlow();
                    handle(pollOrSignal());
                } catch (WakeupException e) {
                    // an attempt reported progress, or close(): go round again
                }
            }
        } catch (InterruptException e) {
            Thread.currentThread().interrupt();
            LOG.warn("{}: interrupted; stopping", name);
        } catch (RuntimeException e) {
            LOG.error("{}: consumer loop failed; this worker takes no more work", name, e);
        } finally {
            lastCommit();
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the consumer failed", name, e);
            }
            stopped.countDown();
        }
    }

    /**
     * Polls, returning at once when an attempt reports progress. A signal wakes the consumer only
     * while it polls, once per poll: under load a wakeup per signal would keep interrupting the
     * commits, and no signal waits, as the poll does not wait while one is queued.
     */
    private ConsumerRecords<String, byte[]> pollOrSignal() {
        polling.set(true);
        try {
            return consumer.poll(signals.isEmpty() ? POLL : Duration.ZERO);
        } finally {
            polling.set(false);
        }
    }

    /** An attempt's progress: applied by the consumer thread, woken if it polls. */
    private void signal(Signal signal) {
        signals.add(signal);
        if (polling.compareAndSet(true, false)) {
            wakeup();
        }
    }

    private void handle(ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (!taking() || !dispatch(partition, record)) {
                    consumer.seek(partition, record.offset());
                    break;
                }
            }
        }
    }

    /** Hands one record on; false if it was not taken (it must be delivered again). */
    private boolean dispatch(TopicPartition partition, ConsumerRecord<String, byte[]> record) {
        Optional<RunAssignment> read = intake.read(record);
        if (read.isEmpty()) {
            offsets.skipped(partition, record.offset());
            return true;
        }
        RunAssignment run = read.get();
        AttemptLog.enter(run.jobId(), run.attempt());
        // the record's trace is current while the attempt is handed on (the attempt's thread inherits it)
        try (io.opentelemetry.context.Scope trace = TraceContext.extract(record.headers()).makeCurrent()) {
            return take(partition, record, run);
        } finally {
            AttemptLog.leave();
        }
    }

    private boolean take(TopicPartition partition, ConsumerRecord<String, byte[]> record, RunAssignment run) {
        long offset = record.offset();
        if (attempts.holds(run.attemptId())) {
            LOG.warn("{}: {} is held or has ended here already; skipping the redelivered assignment", name,
                    run.attemptId());
            offsets.skipped(partition, offset);
            return true;
        }
        offsets.pending(partition, offset);
        AtomicBoolean started = new AtomicBoolean();
        if (!deadLetters.attempt(record, run.jobId(), () -> started.set(attempts.start(run, progress(partition, offset))))) {
            offsets.remove(partition, offset);
            offsets.skipped(partition, offset);
            return true;
        }
        if (!started.get()) {
            offsets.remove(partition, offset);
            return false;
        }
        // at debug: the attempt logs its own start
        LOG.debug("{}: took {} ({} of {} slots busy)", name, run.attemptId(), attempts.busy(), capacity);
        return true;
    }

    private boolean taking() {
        return accepting && attempts.ready() && attempts.busy() < capacity;
    }

    private Attempts.Progress progress(TopicPartition partition, long offset) {
        return new Attempts.Progress() {
            @Override
            public void started() {
                signal(new Started(partition, offset));
            }

            @Override
            public void finished() {
                signal(new Finished());
            }
        };
    }

    private void applySignals() {
        Signal signal;
        while ((signal = signals.poll()) != null) {
            switch (signal) {
                case Started s -> offsets.done(s.partition(), s.offset());
                case Finished f -> {
                    // a slot is free: adjustFlow() resumes
                }
            }
        }
    }

    private void commit() {
        toCommit.putAll(offsets.drainCommittable());
        if (toCommit.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(toCommit);
            LOG.debug("{}: committed {}", name, toCommit);
            toCommit.clear();
        } catch (WakeupException | InterruptException e) {
            throw e;
        } catch (RetriableException e) {
            LOG.warn("{}: commit failed ({}); retrying", name, e.toString());
        } catch (KafkaException e) {
            LOG.warn("{}: commit of {} failed ({}); those records may be delivered again", name, toCommit, e.toString());
            toCommit.clear();
        }
    }

    /** close() may have left a wakeup pending, which the first commit attempt then absorbs. */
    private void lastCommit() {
        for (int tries = 0; tries < 2; tries++) {
            try {
                applySignals();
                commit();
                return;
            } catch (WakeupException e) {
                // absorbed; try again
            } catch (RuntimeException e) {
                LOG.warn("{}: last commit failed; started attempts may be delivered again", name, e);
                return;
            }
        }
    }

    private void adjustFlow() {
        boolean nowFull = !taking();
        Set<TopicPartition> assignment = consumer.assignment();
        if (nowFull) {
            consumer.pause(assignment);
        } else if (!consumer.paused().isEmpty()) {
            consumer.resume(consumer.paused());
        }
        if (nowFull != full && accepting) {
            LOG.info("{}: {}", name, nowFull ? (attempts.ready() ? "all " + capacity + " slots busy; pausing"
                    : "not ready to take work yet; pausing") : "a slot is free; resuming");
        }
        full = nowFull;
    }

    private void wakeup() {
        if (running || stopped.getCount() > 0) {
            try {
                consumer.wakeup();
            } catch (RuntimeException e) {
                LOG.debug("{}: wakeup failed", name, e);
            }
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
            LOG.info("{}: assigned {}", name, partitions);
        }

        /** Gives attempts that are starting a moment to finish starting, commits, then lets the partitions go. */
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            long deadline = System.nanoTime() + REVOKE_WAIT.toNanos();
            applySignals();
            while (offsets.hasPending(partitions) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                applySignals();
            }
            for (int tries = 0; tries < 2; tries++) {
                try {
                    commit();
                    break;
                } catch (WakeupException e) {
                    // woken by an attempt's progress; try once more
                }
            }
            offsets.forget(partitions);
            toCommit.keySet().removeAll(partitions);
            LOG.info("{}: revoked {}", name, partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            offsets.forget(partitions);
            toCommit.keySet().removeAll(partitions);
            LOG.warn("{}: lost {}", name, partitions);
        }
    }
}
