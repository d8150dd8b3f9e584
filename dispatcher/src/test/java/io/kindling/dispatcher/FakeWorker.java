package io.kindling.dispatcher;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Topics;
import io.kindling.schemas.WorkerControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in worker for one pool: reads every run assignment and every control record, and answers
 * with reports as the test's behaviour says. Cancels are answered with a CANCELLED report.
 */
final class FakeWorker implements AutoCloseable {
    private final Topics topics;
    private final String pool;
    private final BiConsumer<RunAssignment, FakeWorker> onRun;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch stopped = new CountDownLatch(1);
    final List<RunAssignment> runs = new CopyOnWriteArrayList<>();
    final List<WorkerControl> controls = new CopyOnWriteArrayList<>();
    /** Whether a CANCEL control is answered with a CANCELLED report at once (else the test answers). */
    volatile boolean answerControls = true;

    FakeWorker(String bootstrapServers, Topics topics, String pool, BiConsumer<RunAssignment, FakeWorker> onRun) {
        this.topics = topics;
        this.pool = pool;
        this.onRun = onRun;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), new ByteArraySerializer());
        Thread thread = new Thread(this::run, "fake-worker");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            List<TopicPartition> partitions = List.of(new TopicPartition(topics.runs(pool), 0),
                    new TopicPartition(topics.control(), 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    if (record.topic().equals(topics.control())) {
                        WorkerControl control = Json.decode(record.value(), WorkerControl.class);
                        controls.add(control);
                        if (answerControls) {
                            report(control.jobId(), control.attempt(), JobState.CANCELLED, control.reason(), 143);
                        }
                    } else {
                        RunAssignment run = Json.decode(record.value(), RunAssignment.class);
                        runs.add(run);
                        onRun.accept(run, this);
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } finally {
            consumer.close();
            stopped.countDown();
        }
    }

    /** Sends a STATE report about attempt {@code attempt} of {@code jobId}. */
    void report(String jobId, int attempt, JobState state, FailureReason reason, Integer exitCode) {
        AttemptReport report = new AttemptReport(AttemptReport.Type.STATE, jobId, attempt,
                io.kindling.schemas.AttemptId.of(jobId, attempt), pool, "fake-worker", state, Instant.now(), reason,
                state == JobState.FAILED ? "exited with " + exitCode : null, exitCode, null, null);
        producer.send(new ProducerRecord<>(topics.reports(), jobId, Json.encode(report)));
        producer.flush();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        stopped.await(10, TimeUnit.SECONDS);
        producer.close();
    }
}
