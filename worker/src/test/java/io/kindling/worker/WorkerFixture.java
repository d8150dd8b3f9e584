package io.kindling.worker;

import java.time.Clock;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.clients.producer.MockProducer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.kindling.common.deadletter.DeadLetterPublisher;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.schemas.WorkerControl;
import io.kindling.testsupport.time.MutableClock;
import io.kindling.worker.launcher.SparkSubmitConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** A {@link Worker} on Kafka's {@code MockConsumer}s (runs and controls), recording reports, with a clock the test moves. */
final class WorkerFixture implements AutoCloseable {
    static final String POOL = "default";
    static final String RUNS = "t.runs." + POOL;
    static final String CONTROL = "t.workers.control";
    static final TopicPartition RUNS_TP = new TopicPartition(RUNS, 0);
    static final TopicPartition CONTROL_TP = new TopicPartition(CONTROL, 0);
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    final PoliteMockConsumer runs = new PoliteMockConsumer();
    final PoliteMockConsumer controls = new PoliteMockConsumer();
    final MutableClock clock = new MutableClock(NOW);
    final MockProducer<String, byte[]> deadLetterRecords = new MockProducer<>(true, null, new StringSerializer(),
            new ByteArraySerializer());
    final DeadLetterPublisher deadLetters = new DeadLetterPublisher(deadLetterRecords, "t.deadletter", "test",
            new SimpleMeterRegistry(), Clock.systemUTC());
    final SpoolLayout layout;
    final RecordingReports reports;
    final FakeLauncher launcher;
    private final Path spoolDir;
    private long nextRunOffset;
    private long nextControlOffset;
    private final List<ConsumerRecord<String, byte[]>> earlier = new java.util.ArrayList<>();
    private int maxRunning = 2;
    private Duration heartbeat = Duration.ofSeconds(5);
    private Duration lease = Duration.ofSeconds(30);
    Worker worker;

    WorkerFixture(Path spoolDir, RecordingReports reports, FakeLauncher launcher) {
        this.spoolDir = spoolDir;
        this.layout = new SpoolLayout(spoolDir);
        this.reports = reports;
        this.launcher = launcher;
    }

    WorkerFixture maxRunning(int value) {
        maxRunning = value;
        return this;
    }

    WorkerFixture leases(Duration heartbeatEvery, Duration leaseFor) {
        heartbeat = heartbeatEvery;
        lease = leaseFor;
        return this;
    }

    WorkerConfig config() {
        return new WorkerConfig("worker-1", POOL, maxRunning,
                new SparkSubmitConfig(Path.of("/no/spark"), null, null, "local[*]"), layout,
                new KafkaConfig("127.0.0.1:1", new Topics("t."), 1, (short) 1), heartbeat, lease);
    }

    WorkerFixture start() {
        runs.schedulePollTask(() -> {
            runs.rebalance(List.of(RUNS_TP));
            runs.updateBeginningOffsets(Map.of(RUNS_TP, 0L));
        });
        controls.updatePartitions(CONTROL, List.of(new PartitionInfo(CONTROL, 0, Node.noNode(), new Node[0], new Node[0])));
        controls.updateBeginningOffsets(Map.of(CONTROL_TP, 0L));
        controls.updateEndOffsets(Map.of(CONTROL_TP, nextControlOffset));
        controls.schedulePollTask(() -> earlier.forEach(controls::addRecord));
        worker = new Worker(config(), runs, controls, reports, launcher, clock, deadLetters).start();
        await().atMost(WAIT).until(() -> worker.assigned() && !controls.assignment().isEmpty());
        return this;
    }

    RunAssignment send(RunAssignment run) {
        runs.addRecord(new ConsumerRecord<>(RUNS, 0, nextRunOffset++, run.jobId(), Json.encode(run)));
        return run;
    }

    /** The dead letters written so far. */
    List<io.kindling.schemas.DeadLetter> deadLetters() {
        return deadLetterRecords.history().stream()
                .map(r -> Json.decode(r.value(), io.kindling.schemas.DeadLetter.class)).toList();
    }

    void sendRaw(String key, byte[] value) {
        runs.addRecord(new ConsumerRecord<>(RUNS, 0, nextRunOffset++, key, value));
    }

    /** A control on the topic; before {@link #start()}, one that was sent while the worker was down. */
    void control(WorkerControl control) {
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(CONTROL, 0, nextControlOffset++, control.jobId(),
                Json.encode(control));
        if (worker == null) {
            earlier.add(record);
        } else {
            controls.addRecord(record);
        }
    }

    OffsetAndMetadata committed() {
        return runs.committed(Set.of(RUNS_TP)).get(RUNS_TP);
    }

    void awaitCommitted(long offset) {
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(committed()).isNotNull();
            assertThat(committed().offset()).isEqualTo(offset);
        });
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }

    /**
     * A MockConsumer whose empty poll blocks, as a real one's does, until a record is added or
     * 10 ms (at most the poll timeout) pass, instead of spinning.
     */
    static final class PoliteMockConsumer extends MockConsumer<String, byte[]> {
        private final Object arrivals = new Object();

        PoliteMockConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void addRecord(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record) {
            super.addRecord(record);
            synchronized (arrivals) {
                arrivals.notifyAll();
            }
        }

        /** Kafka's MockConsumer lacks it: every record here is recent, so each partition starts at its beginning. */
        @Override
        public synchronized Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp>
                offsetsForTimes(Map<org.apache.kafka.common.TopicPartition, Long> query) {
            Map<org.apache.kafka.common.TopicPartition, Long> beginnings = beginningOffsets(query.keySet());
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndTimestamp> out =
                    new java.util.HashMap<>();
            query.forEach((tp, time) -> out.put(tp,
                    new org.apache.kafka.clients.consumer.OffsetAndTimestamp(beginnings.getOrDefault(tp, 0L), time)));
            return out;
        }

        @Override
        public ConsumerRecords<String, byte[]> poll(Duration timeout) {
            ConsumerRecords<String, byte[]> records = super.poll(timeout);
            if (records.isEmpty()) {
                synchronized (arrivals) {
                    try {
                        arrivals.wait(Math.max(1, Math.min(10, timeout.toMillis())));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            return records;
        }
    }
}
