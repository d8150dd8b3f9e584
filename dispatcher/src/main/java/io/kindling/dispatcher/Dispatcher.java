package io.kindling.dispatcher;

import io.kindling.common.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the commands topic and publishes what {@link CommandDecider} decides, in one Kafka
 * transaction per poll together with the consumed offsets: a crash never leaves a job queued
 * without its run assignment, nor runs a command twice.
 */
public final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final String GROUP_ID = "kindling-dispatcher";

    private final KafkaClients clients;
    private final String commandsTopic;
    private final CommandDecider decider;
    private final String transactionalId;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean assigned;

    public Dispatcher(KafkaClients clients, CommandDecider decider, String transactionalId) {
        this.clients = clients;
        this.commandsTopic = clients.config().topics().commands();
        this.decider = decider;
        this.transactionalId = transactionalId;
        this.thread = new Thread(this::run, "dispatcher");
    }

    public Dispatcher start() {
        thread.start();
        return this;
    }

    /** True once the group has given this dispatcher its partitions. */
    public boolean assigned() {
        return assigned;
    }

    private KafkaProducer<String, byte[]> transactionalProducer() {
        java.util.Properties p = new java.util.Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, clients.config().bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "kindling-dispatcher-producer");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "15000");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private void run() {
        try (KafkaProducer<String, byte[]> producer = transactionalProducer();
             KafkaConsumer<String, byte[]> c = clients.consumer(GROUP_ID, "kindling-dispatcher",
                     Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200"))) {
            consumer = c;
            producer.initTransactions();
            c.subscribe(List.of(commandsTopic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                    assigned = true;
                }
            });
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    processInTransaction(producer, c, records);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                LOG.error("dispatcher: unexpected wakeup", e);
            }
        } catch (ProducerFencedException e) {
            LOG.error("dispatcher: another dispatcher with transactional id {} took over; stopping", transactionalId);
        } catch (RuntimeException e) {
            LOG.error("dispatcher: stopped by an unexpected failure", e);
        } finally {
            stopped.countDown();
        }
    }

    private void processInTransaction(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
            ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        producer.beginTransaction();
        try {
            for (ConsumerRecord<String, byte[]> record : records) {
                for (ProducerRecord<String, byte[]> out : decider.decide(record)) {
                    producer.send(out);
                }
                offsets.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, c.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("dispatcher: transaction failed ({}); aborting and reading the batch again", e.toString());
            producer.abortTransaction();
            rewind(c, records);
        }
    }

    private static void rewind(KafkaConsumer<String, byte[]> c, ConsumerRecords<String, byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            c.seek(partition, records.records(partition).get(0).offset());
        }
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
            if (!stopped.await(20, TimeUnit.SECONDS)) {
                LOG.warn("dispatcher thread did not stop within 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
