package io.kindling.dispatcher.kafka;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.management.LoopLiveness;
import io.kindling.common.management.Management;
import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.InputReader;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.common.deadletter.DeadLetters;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
import io.kindling.dispatcher.lifecycle.Output;
import io.kindling.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's one thread. A session rebuilds a fresh {@link JobStateMachine} from the events
 * topic (acting on nothing meanwhile), then consumes commands and reports; every poll's outputs,
 * the timers that fired and the consumed offsets are one Kafka transaction. The poll never waits
 * past the machine's next deadline. A failed transaction ends the session: the next one rebuilds
 * from what was committed, so memory and log never disagree.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** How often the tenant commands topics are listed again. */
    private static final Duration TOPIC_RELIST = Duration.ofSeconds(30);
    private static final Duration MAX_POLL = Duration.ofMillis(500);
    private static final Duration STANDBY_POLL = Duration.ofMillis(200);
    /** How long a poll waits at most while the finished jobs are loading (their batches are folded between polls). */
    private static final Duration HISTORY_POLL = Duration.ofMillis(50);
    /** The finished jobs' load starts once the inputs are read to their end, or this long after taking over. */
    private static final Duration LOAD_DELAY = Duration.ofSeconds(5);

    private final KafkaClients clients;
    private final Topics topics;
    private final Supplier<JobStateMachine> machines;
    private final InputReader reader;
    private final Clock clock;
    private final String dispatcherId;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private final Isolation isolation = new Isolation();
    private final Leadership leadership;
    private final DispatcherMetrics metrics;
    private final LoopLiveness loop;
    /** False while the finished jobs are still being loaded (in the background) in this term. */
    private boolean historyLoaded;
    /** When the finished jobs were last loaded (null before): for tests and the restart benchmark's log. */
    private volatile Instant finishedLoadedAt;
    private final DispatcherTracing tracing;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean ready;
    /** The state topic holds every job's state (its marker was read or written): start-up reads it alone. */
    private boolean stateMarked;
    /** The state of this term's machine, and the finished jobs' filter checkpointed with it. */
    private StateTail termState;
    private final FilterCheckpointWriter checkpoints;

    public Dispatcher(KafkaClients clients, Supplier<JobStateMachine> machines, InputReader reader, Clock clock,
            String dispatcherId, Leadership leadership) {
        this(clients, machines, reader, clock, dispatcherId, leadership, Management.inMemory());
    }

    /** With the process's meter registry and health: the loop registers as {@code dispatcher}. */
    public Dispatcher(KafkaClients clients, Supplier<JobStateMachine> machines, InputReader reader, Clock clock,
            String dispatcherId, Leadership leadership, Management management) {
        this.metrics = new DispatcherMetrics(management.registry(), dispatcherId);
        this.loop = management.health().loop("dispatcher");
        this.tracing = new DispatcherTracing(management.tracing());
        this.clients = clients;
        this.topics = clients.config().topics();
        this.machines = machines;
        this.reader = reader;
        this.clock = clock;
        this.dispatcherId = dispatcherId;
        this.leadership = leadership;
        this.thread = new Thread(this::run, "dispatcher");
        this.checkpoints = new FilterCheckpointWriter(topics.dispatcherState());
    }

    /** The dispatchers' shared transactional id, and the consumer group its input offsets are committed in. */
    public static String id(Topics topics) {
        return "kindling-dispatcher-" + topics.prefix();
    }

    public Dispatcher start() {
        leadership.start(this::leadershipLost);
        thread.start();
        return this;
    }

    /** True once this instance leads, its state is rebuilt and the input partitions are assigned. */
    public boolean ready() {
        return ready;
    }

    /** When this instance last finished loading the finished jobs after taking over; null if it has not. */
    public Instant finishedLoadedAt() {
        return finishedLoadedAt;
    }

    /** True while this instance is the active one (a standby is not). */
    public boolean active() {
        return leadership.leader();
    }

    private void leadershipLost() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup(); // stop deciding now; the next leader fences this instance's producer anyway
        }
    }

    private void run() {
        StateTail tail = null;
        loop.enter();
        try {
            while (running.get()) {
                loop.beat();
                try {
                    if (tail == null) {
                        tail = new StateTail(clients, topics.dispatcherState(), topics.dispatcherFinished(), machines);
                    }
                    if (leadership.leader()) {
                        try {
                            session(tail);
                        } finally {
                            tail.reset(); // the machine decided: it may hold what no transaction committed
                        }
                    } else {
                        metrics.standby();
                        tail.poll(STANDBY_POLL); // warm standby: keep the state current
                    }
                } catch (ProducerFencedException e) {
                    LOG.warn("dispatcher: another instance with transactional id {} took over; standing by", dispatcherId);
                    pause();
                } catch (WakeupException e) {
                    if (running.get() && leadership.leader()) {
                        LOG.warn("dispatcher: unexpected wakeup; rebuilding");
                    }
                } catch (RuntimeException e) {
                    if (running.get()) {
                        LOG.error("dispatcher: session failed; rebuilding the state in 1 s", e);
                        pause();
                    }
                } finally {
                    ready = false;
                }
            }
        } finally {
            if (tail != null) {
                tail.close();
            }
            stopped.countDown();
        }
    }

    private void pause() {
        try {
            if (stopped.await(1, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private boolean deciding() {
        return running.get() && leadership.leader();
    }

    /**
     * One term as the active instance: fence the previous one ({@code initTransactions} with the
     * shared transactional id aborts its open transaction), rebuild, then consume the input
     * partitions from the committed offsets until leadership is lost or a transaction fails.
     */
    private void session(StateTail tail) {
        termState = tail;
        checkpoints.newTerm();
        try (KafkaProducer<String, byte[]> producer = transactionalProducer();
             // offsets are committed for the group named by the dispatcher's id; partitions are assigned, not
             // subscribed: leadership comes from the leader topic's group, so a standby never splits the input
             KafkaConsumer<String, byte[]> c = clients.consumer(dispatcherId, "kindling-dispatcher",
                     Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500"))) {
            consumer = c;
            producer.initTransactions();
            if (!deciding()) {
                return;
            }
            JobStateMachine machine = rebuild(tail);
            try {
                decide(producer, c, tail, machine);
            } finally {
                if (!running.get() && historyLoaded && leadership.leader()) {
                    checkpointAtStop(producer, tail);
                }
            }
        } finally {
            consumer = null;
        }
    }

    /** True if every input partition not held for the finished jobs is read up to its end (its lag is known and 0). */
    private static boolean inputsCaughtUp(KafkaConsumer<String, byte[]> c) {
        Set<TopicPartition> paused = c.paused();
        for (TopicPartition partition : c.assignment()) {
            OptionalLong lag = c.currentLag(partition);
            if (!paused.contains(partition) && (lag.isEmpty() || lag.getAsLong() > 0)) {
                return false;
            }
        }
        return true;
    }

    /** A graceful stop's checkpoint of the finished jobs' filter: the next start extends it by nothing. */
    private void checkpointAtStop(KafkaProducer<String, byte[]> producer, StateTail tail) {
        try {
            checkpoints.writeNow(producer, tail, clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("dispatcher: no checkpoint of the finished jobs' filter at stop ({})", e.toString());
        }
    }

    /** Consumes and decides until leadership is lost, the dispatcher stops or a transaction fails. */
    private void decide(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c, StateTail tail,
            JobStateMachine machine) {
        List<TopicPartition> assigned = inputPartitions(c);
        c.assign(assigned);
        long listedAt = System.nanoTime();
        long since = System.nanoTime();
        ready = deciding();
        boolean consistent = true;
        Duration timeout = Duration.ZERO; // act at once on what the rebuild found due (retries, expired timers)
        while (deciding() && consistent) {
            loop.beat();
            boolean folding = false;
            if (!historyLoaded) {
                if (!tail.finishedStarted() && (inputsCaughtUp(c) || System.nanoTime() - since > LOAD_DELAY.toNanos())) {
                    tail.startFinished(); // after the inputs waiting at the start: the load's threads take CPU from them
                }
                folding = tail.drainFinished();
                historyLoaded = tail.finishedLoaded();
                if (historyLoaded) {
                    finishedLoadedAt = clock.instant();
                    c.resume(c.paused()); // the records held for it are read again from where they were held
                    LOG.info("dispatcher: finished jobs loaded {} ms after taking over: {} jobs known",
                            (System.nanoTime() - since) / 1_000_000, machine.size());
                }
            }
            if (historyLoaded) {
                checkpoints.step(producer, tail, clock.instant());
            }
            metrics.observe(machine, c, clock.instant());
            if (System.nanoTime() - listedAt > TOPIC_RELIST.toNanos()) {
                // a tenant's commands topic created since is read from its committed offset (or the start)
                List<TopicPartition> now = inputPartitions(c);
                if (!now.equals(assigned)) {
                    LOG.info("dispatcher: input partitions now {}", now);
                    assigned = now;
                    c.assign(assigned);
                }
                listedAt = System.nanoTime();
            }
            ConsumerRecords<String, byte[]> records = c.poll(folding ? Duration.ZERO
                    : historyLoaded || timeout.compareTo(HISTORY_POLL) < 0 ? timeout : HISTORY_POLL);
            if (!deciding()) {
                return; // records polled after leadership was lost are left to the next leader
            }
            consistent = processInTransaction(producer, c, machine, records);
            timeout = pollTimeout(machine);
        }
    }

    /**
     * The topics the dispatcher consumes: {@code jobs.commands}, the reports and every tenant's
     * commands topic that exists (docs/security.md), listed again every {@link #TOPIC_RELIST}.
     */
    private List<String> inputTopics(KafkaConsumer<String, byte[]> c) {
        return topics.dispatcherInputTopics(c.listTopics(Duration.ofSeconds(30)).keySet());
    }

    private List<TopicPartition> inputPartitions(KafkaConsumer<String, byte[]> c) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : inputTopics(c)) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " has no partitions (does it exist?)");
            }
            infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
    }

    /**
     * The machine to decide with: the state topic followed to its end (the standby kept it warm, so
     * this reads what the last leader committed since). Without a state topic yet (the first start
     * after an upgrade), the whole events topic is folded and every job's record is written with the
     * first transaction.
     */
    private JobStateMachine rebuild(StateTail tail) {
        long started = System.nanoTime();
        stateMarked = tail.catchUp(this::deciding);
        historyLoaded = tail.finishedLoaded();
        JobStateMachine machine = tail.machine();
        String source = "the state topic (" + tail.records() + " records)";
        if (!stateMarked) {
            long events = EventLog.replay(clients, topics.events(), machine::restore, this::deciding);
            machine.snapshotAll();
            source = "the events topic (" + events + " events; no state topic yet)";
        }
        machine.resume(clock.instant());
        LOG.info("dispatcher: caught up with {} in {} ms: {} jobs, {} live{}", source,
                (System.nanoTime() - started) / 1_000_000, machine.size(), machine.liveJobs(),
                historyLoaded ? "" : tail.filterExtended() >= 0
                        ? "; finished jobs still loading (records about unknown ids the finished jobs' filter may hold wait"
                                + " for them; the filter's checkpoint extended by " + tail.filterExtended() + " keys)"
                        : "; finished jobs still loading (records about unknown jobs wait for them; no filter checkpoint)");
        return machine;
    }

    private Duration pollTimeout(JobStateMachine machine) {
        Instant now = clock.instant();
        return machine.nextDeadline(now)
                .map(deadline -> Duration.between(now, deadline))
                .map(d -> d.isNegative() ? Duration.ZERO : d.compareTo(MAX_POLL) > 0 ? MAX_POLL : d)
                .orElse(MAX_POLL);
    }

    /**
     * Publishes what the batch and the timers lead to; false when the machine may no longer match
     * the log. A batch that failed is read again record by record (see {@link Isolation}).
     */
    private boolean processInTransaction(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
            JobStateMachine machine, ConsumerRecords<String, byte[]> polled) {
        ConsumerRecords<String, byte[]> records = historyLoaded ? polled : withoutHeld(c, machine, polled);
        if (isolation.covers(records)) {
            for (ConsumerRecord<String, byte[]> record : records) {
                if (!processAlone(producer, c, machine, record)) {
                    return false;
                }
            }
            return timersAlone(producer, c, machine);
        }
        Instant now = clock.instant();
        List<Output> outputs = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        boolean consistent = true;
        for (ConsumerRecord<String, byte[]> record : records) {
            consistent &= handle(machine, record, now, outputs);
            offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        if (consistent) {
            outputs.addAll(machine.tick(now));
        }
        if (!publish(producer, c, StateFold.fold(outputs), offsets, null)) {
            isolation.suspect(records);
            return false;
        }
        return consistent;
    }

    /**
     * The records that can be decided while the finished jobs are still loading: from the first
     * record of a partition that names a job the machine does not know (it may be a finished one:
     * a replayed submit, a stale report) and that the finished jobs' filter does not rule out as
     * certainly new, that partition is paused and read again from there once they are loaded, so
     * nothing is decided without them and each partition keeps its order.
     */
    private ConsumerRecords<String, byte[]> withoutHeld(KafkaConsumer<String, byte[]> c, JobStateMachine machine,
            ConsumerRecords<String, byte[]> polled) {
        Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> kept = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition partition : polled.partitions()) {
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : polled.records(partition)) {
                String jobId = readableJobId(record);
                if (jobId != null && termState.waitsForFinished(jobId)) {
                    c.seek(partition, record.offset());
                    c.pause(List.of(partition));
                    break;
                }
                records.add(record);
            }
            if (!records.isEmpty()) {
                kept.put(partition, records);
                next.put(partition, new OffsetAndMetadata(records.getLast().offset() + 1));
            }
        }
        return new ConsumerRecords<>(kept, next);
    }

    /** One record in a transaction of its own; after repeated failures, only its dead letter. */
    private boolean processAlone(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
            JobStateMachine machine, ConsumerRecord<String, byte[]> record) {
        Instant now = clock.instant();
        List<Output> outputs = new ArrayList<>();
        boolean consistent;
        Optional<String> failure = isolation.givenUp(Isolation.key(record));
        if (failure.isPresent()) {
            Origin origin = origin(record);
            LOG.error("dispatcher: {}-{}@{} failed {} times; dead-lettering it and moving on", record.topic(),
                    record.partition(), record.offset(), Isolation.MAX_TRIES);
            outputs.addAll(machine.handle(new Input.Invalid(origin, commandJobId(record), "UNPROCESSABLE",
                    "its outputs could not be published " + Isolation.MAX_TRIES + " times (" + failure.get()
                            + "); skipped", List.of()), now));
            consistent = true;
        } else {
            consistent = handle(machine, record, now, outputs);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1));
        if (!publish(producer, c, outputs, offsets, Isolation.key(record))) {
            return false;
        }
        isolation.passed(record);
        return consistent;
    }

    /**
     * The timers' outputs one job per transaction, after jobs given up are ended: a job whose
     * records cannot be published (a runs topic that refuses its assignment, say) stops only itself.
     */
    private boolean timersAlone(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
            JobStateMachine machine) {
        Instant now = clock.instant();
        for (String jobId : isolation.givenUpJobs()) {
            String failure = isolation.givenUp(Isolation.jobKey(jobId)).orElse("");
            LOG.error("dispatcher: job {}: its records could not be published {} times; ending it FAILED", jobId,
                    Isolation.MAX_TRIES);
            if (!publish(producer, c, machine.abandon(jobId, "the dispatcher could not publish this job's records "
                    + Isolation.MAX_TRIES + " times (" + failure + "); given up", now), Map.of(), null)) {
                return false;
            }
            isolation.passed(Isolation.jobKey(jobId));
        }
        List<Output> tick = machine.tick(now);
        if (!isolation.timersSuspect()) {
            return publish(producer, c, tick, Map.of(), null);
        }
        Map<String, List<Output>> byJob = new LinkedHashMap<>();
        for (Output output : tick) {
            byJob.computeIfAbsent(jobOf(output), k -> new ArrayList<>()).add(output);
        }
        for (Map.Entry<String, List<Output>> job : byJob.entrySet()) {
            if (!publish(producer, c, job.getValue(), Map.of(), Isolation.jobKey(job.getKey()))) {
                return false;
            }
            isolation.passed(Isolation.jobKey(job.getKey()));
        }
        isolation.timersPassed();
        return true;
    }

    private static String jobOf(Output output) {
        return switch (output) {
            case Output.Event e -> e.event().jobId();
            case Output.Run r -> r.run().jobId();
            case Output.Control ctl -> ctl.control().jobId();
            case Output.State st -> st.jobId();
            case Output.DeadLettered d -> String.valueOf(d.letter().jobId());
        };
    }

    /** Adds what one record leads to; false when handling it threw (it is dead-lettered and the state rebuilt). */
    private boolean handle(JobStateMachine machine, ConsumerRecord<String, byte[]> record, Instant now, List<Output> outputs) {
        Origin origin = origin(record);
        io.opentelemetry.api.trace.Span span = record.topic().equals(topics.reports()) ? null : tracing.command(record);
        try {
            outputs.addAll(machine.handle(read(span == null ? origin : new Origin(origin.topic(), origin.partition(),
                    origin.offset(), origin.key(), origin.value(), DispatcherTracing.carrier(span))), now));
            return true;
        } catch (RuntimeException e) {
            if (span != null) {
                span.recordException(e);
            }
            LOG.error("dispatcher: handling {}-{}@{} failed; dead-lettering it and rebuilding", record.topic(),
                    record.partition(), record.offset(), e);
            outputs.add(new Output.DeadLettered(DeadLetters.of(origin.source(), null, "INTERNAL_ERROR", e.toString(), List.of(), now)));
            return false;
        } finally {
            if (span != null) {
                span.end();
            }
        }
    }

    private Input read(Origin origin) {
        return origin.topic().equals(topics.reports()) ? reader.report(origin) : reader.command(origin);
    }

    private static Origin origin(ConsumerRecord<String, byte[]> record) {
        return new Origin(record.topic(), record.partition(), record.offset(), record.key(), record.value());
    }

    /** The job id of a command record, when one can be read (so an unknown job gets its REJECTED event). */
    private String commandJobId(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(topics.reports())) {
            return null;
        }
        return jobIdOf(read(origin(record)));
    }

    /** The job id a record names, or null if it names none or cannot be read (then handling it dead-letters it). */
    private String readableJobId(ConsumerRecord<String, byte[]> record) {
        try {
            return jobIdOf(read(origin(record)));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String jobIdOf(Input input) {
        return switch (input) {
            case Input.Submit s -> s.command().jobId();
            case Input.Cancel cancel -> cancel.command().jobId();
            case Input.Invalid i -> i.jobId();
            case Input.Report r -> r.report().jobId();
        };
    }

    /**
     * One transaction: the outputs and the offsets. False if it failed and was aborted; a failure
     * that a record can have caused (not a timeout or another retriable broker error) counts
     * against {@code alone}, the record or job published alone, if any.
     */
    private boolean publish(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c, List<Output> outputs,
            Map<TopicPartition, OffsetAndMetadata> offsets, String alone) {
        if (outputs.isEmpty() && offsets.isEmpty()) {
            return true;
        }
        producer.beginTransaction();
        try {
            for (Output output : outputs) {
                for (var record : OutputRecords.of(output, topics)) {
                    producer.send(tracing.traced(output, record));
                }
            }
            if (!stateMarked) {
                producer.send(StateMarker.record(topics, clock.instant()));
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, c.groupMetadata());
            }
            producer.commitTransaction();
            metrics.published(outputs);
            stateMarked = true;
            return true;
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("dispatcher: transaction failed ({}); aborting and rebuilding from the log", Isolation.describe(e));
            if (alone != null) {
                isolation.failed(alone, e);
            }
            try {
                producer.abortTransaction();
            } catch (KafkaException abort) {
                throw new KafkaException("abort failed after a failed transaction", abort);
            }
            return false;
        }
    }

    private KafkaProducer<String, byte[]> transactionalProducer() {
        return clients.transactionalProducer("kindling-dispatcher-producer", dispatcherId);
    }

    /** Stops after the current transaction, waits for the thread, then hands leadership over. */
    @Override
    public void close() {
        running.set(false);
        loop.stopped();
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                LOG.warn("dispatcher thread did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leadership.close(); // leaves the group: a standby takes over without waiting for the session timeout
    }
}
