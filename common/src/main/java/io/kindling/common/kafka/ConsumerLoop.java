package io.kindling.common.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns a {@link KafkaConsumer}: polls, hands each record to a {@link RecordHandler}
 * in order, and commits what was handled. A record whose handler throws is delivered again (the
 * partition is rewound to it), so nothing handled is lost and nothing unhandled is committed.
 * {@link #close()} wakes the consumer and awaits the thread.
 */
public final class ConsumerLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Collection<String> topics;
    private final RecordHandler handler;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean assigned;

    public ConsumerLoop(String name, KafkaConsumer<String, byte[]> consumer, Collection<String> topics, RecordHandler handler) {
        this.name = name;
        this.consumer = consumer;
        this.topics = topics;
        this.handler = handler;
        this.thread = new Thread(this::run, name);
    }

    public ConsumerLoop start() {
        thread.start();
        return this;
    }

    /** True once the group has assigned this consumer its partitions at least once. */
    public boolean assigned() {
        return assigned;
    }

    private void run() {
        try {
            consumer.subscribe(topics, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned = true;
                }
            });
            while (running.get()) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                if (!records.isEmpty()) {
                    handleBatch(records);
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                LOG.error("{}: unexpected wakeup", name, e);
            }
        } catch (RuntimeException e) {
            LOG.error("{}: consumer loop failed", name, e);
        } finally {
            try {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the consumer failed", name, e);
            }
            stopped.countDown();
        }
    }

    private void handleBatch(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (!running.get()) {
                    break;
                }
                try {
                    handler.handle(record);
                    done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    running.set(false);
                    consumer.seek(partition, record.offset());
                    break;
                } catch (Exception e) {
                    LOG.error("{}: handling {}-{}@{} failed; it will be delivered again", name,
                            record.topic(), record.partition(), record.offset(), e);
                    consumer.seek(partition, record.offset());
                    break;
                }
            }
        }
        if (!done.isEmpty()) {
            consumer.commitSync(done);
        }
    }

    /** Stops polling, commits what was handled, closes the consumer and waits for the thread. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            if (!stopped.await(15, TimeUnit.SECONDS)) {
                LOG.warn("{}: consumer thread did not stop within 15 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
