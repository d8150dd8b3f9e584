package io.kindling.dispatcher.kafka;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.InputReader;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
import io.kindling.dispatcher.lifecycle.Output;
import io.kindling.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
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
    private static final Duration MAX_POLL = Duration.ofMillis(500);

    private final KafkaClients clients;
    private final Topics topics;
    private final Supplier<JobStateMachine> machines;
    private final InputReader reader;
    private final Clock clock;
    private final String dispatcherId;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean ready;

    public Dispatcher(KafkaClients clients, Supplier<JobStateMachine> machines, InputReader reader, Clock clock,
            String dispatcherId) {
        this.clients = clients;
        this.topics = clients.config().topics();
        this.machines = machines;
        this.reader = reader;
        this.clock = clock;
        this.dispatcherId = dispatcherId;
        this.thread = new Thread(this::run, "dispatcher");
    }

    public Dispatcher start() {
        thread.start();
        return this;
    }

    /** True once the state is rebuilt and the group has assigned the input partitions. */
    public boolean ready() {
        return ready;
    }

    private void run() {
        try {
            while (running.get()) {
                try {
                    session();
                } catch (ProducerFencedException | org.apache.kafka.common.errors.FencedInstanceIdException e) {
                    LOG.error("dispatcher: another dispatcher with id {} took over; stopping", dispatcherId);
                    return;
                } catch (WakeupException e) {
                    if (running.get()) {
                        LOG.warn("dispatcher: unexpected wakeup; rebuilding");
                    }
                } catch (RuntimeException e) {
                    if (running.get()) {
                        LOG.error("dispatcher: session failed; rebuilding the state from the events topic in 1 s", e);
                        pause();
                    }
                } finally {
                    ready = false;
                }
            }
        } finally {
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

    private void session() {
        try (KafkaProducer<String, byte[]> producer = transactionalProducer();
             // the group, its static member id and the transactional id are all the dispatcher's id (one per prefix)
             KafkaConsumer<String, byte[]> c = clients.consumer(dispatcherId, "kindling-dispatcher",
                     Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500",
                             // static membership: a restarted dispatcher takes its partitions over at once
                             ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, dispatcherId,
                             // a new tenant commands topic is subscribed within 30 s
                             ConsumerConfig.METADATA_MAX_AGE_CONFIG, "30000"))) {
            consumer = c;
            producer.initTransactions();
            JobStateMachine machine = machines.get();
            long events = EventLog.replay(clients, topics.events(), machine::restore, running::get);
            machine.resume(clock.instant());
            LOG.info("dispatcher: state rebuilt from {} events ({} jobs)", events, machine.size());
            // jobs.commands, reports and every tenant's commands topic (found by pattern, docs/security.md)
            c.subscribe(topics.dispatcherInputs(), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    ready = true;
                }
            });
            boolean consistent = true;
            Duration timeout = Duration.ZERO; // act at once on what the rebuild found due (retries, expired timers)
            while (running.get() && consistent) {
                ConsumerRecords<String, byte[]> records = c.poll(timeout);
                consistent = processInTransaction(producer, c, machine, records);
                timeout = pollTimeout(machine);
            }
        } finally {
            consumer = null;
        }
    }

    private Duration pollTimeout(JobStateMachine machine) {
        Instant now = clock.instant();
        return machine.nextDeadline(now)
                .map(deadline -> Duration.between(now, deadline))
                .map(d -> d.isNegative() ? Duration.ZERO : d.compareTo(MAX_POLL) > 0 ? MAX_POLL : d)
                .orElse(MAX_POLL);
    }

    /** Publishes what the batch and the timers lead to; false when the machine may no longer match the log. */
    private boolean processInTransaction(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
            JobStateMachine machine, ConsumerRecords<String, byte[]> records) {
        Instant now = clock.instant();
        List<Output> outputs = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        boolean consistent = true;
        for (ConsumerRecord<String, byte[]> record : records) {
            Origin origin = new Origin(record.topic(), record.partition(), record.offset(), record.key(), record.value());
            Input input = topics.isCommands(record.topic()) ? reader.command(origin) : reader.report(origin);
            try {
                outputs.addAll(machine.handle(input, now));
            } catch (RuntimeException e) {
                LOG.error("dispatcher: handling {}-{}@{} failed; dead-lettering it and rebuilding", record.topic(),
                        record.partition(), record.offset(), e);
                outputs.addAll(machine.handle(new Input.Invalid(origin, null, "INTERNAL_ERROR", e.toString(), List.of()), now));
                consistent = false;
            }
            offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        if (consistent) {
            outputs.addAll(machine.tick(now));
        }
        if (outputs.isEmpty() && offsets.isEmpty()) {
            return true;
        }
        producer.beginTransaction();
        try {
            for (Output output : outputs) {
                producer.send(OutputRecords.of(output, topics));
            }
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, c.groupMetadata());
            }
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("dispatcher: transaction failed ({}); aborting and rebuilding from the log", e.toString());
            producer.abortTransaction();
            return false;
        }
        return consistent;
    }

    private KafkaProducer<String, byte[]> transactionalProducer() {
        return clients.transactionalProducer("kindling-dispatcher-producer", dispatcherId);
    }

    /** Stops after the current transaction and waits for the thread. */
    @Override
    public void close() {
        running.set(false);
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
    }
}
