package io.kindling.dispatcher.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.dispatcher.lifecycle.JobSnapshot;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the finished jobs' topic from its beginning on threads of its own (one consumer for each of
 * up to {@link #READERS} groups of its partitions), decoding the records there, and hands them over
 * in batches with the positions they reach; the dispatcher's thread folds them into its machine
 * ({@link StateTail#drainFinished}). It follows the topic until closed.
 */
final class FinishedLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FinishedLoader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /**
     * At most this many reading threads: decoding is what a load costs, and it spreads over cores;
     * one core is left to the dispatcher's thread (the finished jobs' filter decides new jobs
     * without the load, so the load is no longer on their path).
     */
    static final int READERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() - 1));

    /** One finished job's record; a null snapshot is a tombstone. */
    record Loaded(String jobId, JobSnapshot snapshot) {
    }

    /** The records of one poll and the positions of the polled partitions after them. */
    record Batch(List<Loaded> jobs, Map<TopicPartition, Long> positions) {
    }

    private final BlockingQueue<Batch> batches = new ArrayBlockingQueue<>(64);
    private final List<Reader> readers = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean failed;

    FinishedLoader(KafkaClients clients, List<TopicPartition> partitions) {
        int count = Math.max(1, Math.min(READERS, partitions.size()));
        for (int r = 0; r < count; r++) {
            List<TopicPartition> mine = new ArrayList<>();
            for (int i = r; i < partitions.size(); i += count) {
                mine.add(partitions.get(i));
            }
            readers.add(new Reader(clients, mine, r));
        }
        readers.forEach(Reader::start);
    }

    /** True if reading failed: the loader stopped and must be replaced. */
    boolean failed() {
        return failed;
    }

    /** The next batch read, if one is waiting. */
    Batch next() {
        return batches.poll();
    }

    /** One consumer over some of the partitions, on its own thread. */
    private final class Reader {
        private final KafkaConsumer<String, byte[]> consumer;
        private final List<TopicPartition> partitions;
        private final Thread thread;

        Reader(KafkaClients clients, List<TopicPartition> partitions, int index) {
            this.consumer = clients.consumer(null, "kindling-dispatcher-finished-" + index, Map.of(
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000",
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 * 1024 * 1024)));
            this.partitions = partitions;
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            this.thread = Thread.ofPlatform().name("dispatcher-finished-loader-" + index).daemon().unstarted(this::run);
        }

        void start() {
            thread.start();
        }

        private void run() {
            Map<TopicPartition, Long> handed = Map.of();
            try {
                while (running) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                    List<Loaded> jobs = new ArrayList<>(records.count());
                    for (ConsumerRecord<String, byte[]> record : records) {
                        decode(record, jobs);
                    }
                    Map<TopicPartition, Long> positions = new HashMap<>();
                    partitions.forEach(p -> positions.put(p, consumer.position(p)));
                    if (!jobs.isEmpty() || !positions.equals(handed)) {
                        Batch batch = new Batch(jobs, positions);
                        while (running && !batches.offer(batch, 200, TimeUnit.MILLISECONDS)) {
                            // the dispatcher's thread takes batches between its polls
                        }
                        handed = positions;
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("finished jobs' loader failed; it starts over", e);
                failed = true;
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        void stop() {
            consumer.wakeup();
        }

        void join() throws InterruptedException {
            thread.join(Duration.ofSeconds(10));
        }
    }

    private static void decode(ConsumerRecord<String, byte[]> record, List<Loaded> jobs) {
        try {
            jobs.add(new Loaded(record.key(), record.value() == null ? null : snapshot(record.value())));
        } catch (RuntimeException | IOException e) {
            LOG.error("finished {}-{}@{}: unreadable record skipped ({})", record.topic(), record.partition(),
                    record.offset(), e.toString());
        }
    }

    /**
     * A finished job's record, read field by field: the few fields a finished job's snapshot has
     * ({@code Job.snapshot}), two to three times faster than binding the whole record (what a load
     * costs); any other field and it is bound as usual.
     */
    static JobSnapshot snapshot(byte[] value) throws IOException {
        String jobId = null;
        JobState state = null;
        String pool = null;
        String tenant = null;
        String specSha256 = null;
        int attempt = 0;
        Instant endedAt = null;
        try (JsonParser parser = Json.mapper().getFactory().createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Json.decode(value, JobSnapshot.class);
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                boolean text = token == JsonToken.VALUE_STRING;
                switch (field) {
                    case "jobId" -> jobId = text ? parser.getText() : null;
                    case "state" -> state = text ? JobState.valueOf(parser.getText()) : null;
                    case "pool" -> pool = text ? parser.getText() : null;
                    case "tenant" -> tenant = text ? parser.getText() : null;
                    case "specSha256" -> specSha256 = text ? parser.getText() : null;
                    case "attempt" -> attempt = token == JsonToken.VALUE_NUMBER_INT ? parser.getIntValue() : -1;
                    case "endedAt" -> endedAt = text ? Instant.parse(parser.getText()) : null;
                    default -> {
                        return Json.decode(value, JobSnapshot.class);
                    }
                }
                if (attempt < 0 || (!text && token != JsonToken.VALUE_NUMBER_INT)) {
                    return Json.decode(value, JobSnapshot.class); // a shape this reader does not expect
                }
            }
        }
        return new JobSnapshot(jobId, state, null, pool, tenant, specSha256, null, null, attempt, null, null, null, false,
                null, 0, 0, 0, false, null, null, false, endedAt, null);
    }

    @Override
    public void close() {
        running = false;
        readers.forEach(Reader::stop);
        try {
            for (Reader reader : readers) {
                reader.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
