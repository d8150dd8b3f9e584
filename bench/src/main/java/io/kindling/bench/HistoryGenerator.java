package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SubmitJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a synthetic history on the topics in the exact formats the components write: for each
 * job, the api's {@link SubmitJob} command on {@code jobs.commands}, and the events the
 * dispatcher folds it into on {@code jobs.events}, built with the same {@link JobEvents} calls
 * as the dispatcher's {@code JobStateMachine}, {@code Transitions} and {@code ReportHandler}
 * (QUEUED with the spec, DISPATCHED from the run assignment, SUBMITTING, RUNNING, SUCCEEDED).
 * Finished jobs are spread over the {@code span} before {@code now}; live ones are in the last
 * hour, a third each QUEUED, DISPATCHED and RUNNING. One batching producer (lz4, 256 KiB batches).
 */
final class HistoryGenerator {
    private static final String WORKER = "bench-worker-1";

    private final String bootstrap;
    private final String commandsTopic;
    private final String eventsTopic;
    private final int tenants;

    HistoryGenerator(String bootstrap, String commandsTopic, String eventsTopic, int tenants) {
        this.bootstrap = bootstrap;
        this.commandsTopic = commandsTopic;
        this.eventsTopic = eventsTopic;
        this.tenants = tenants;
    }

    static String tenant(int tenants, long i) {
        return "t" + (i % tenants);
    }

    /** The spec a job of {@code tenant} was submitted with (the api sets the {@code tenant} field from the caller's identity). */
    static JobSpec spec(String tenant, long i) {
        String json = "{\"name\": \"bench-" + i + "\", \"pool\": \"default\", \"tenant\": \"" + tenant + "\","
                + " \"application\": {\"type\": \"python\", \"file\": \"artifact://" + tenant + "/"
                + "0f4c2f1b7a8d9e3c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c/etl.py\", \"args\": [\"--day\", \"" + i % 365
                + "\"]}, \"conf\": {\"spark.executor.instances\": \"4\", \"spark.executor.memory\": \"4g\"},"
                + " \"labels\": {\"team\": \"team-" + (i % 7) + "\"}}";
        return Json.decode(json.getBytes(StandardCharsets.UTF_8), JobSpec.class);
    }

    /** Returns {events, commands} written. */
    long[] generate(long finished, int live, Instant now, Duration span) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * 1024 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        AtomicReference<Exception> failure = new AtomicReference<>();
        long[] counts = new long[2];
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            long stepNanos = span.toNanos() / Math.max(1, finished);
            Instant start = now.minus(span);
            for (long i = 0; i < finished; i++) {
                Instant at = start.plusNanos(i * stepNanos);
                write(producer, "h" + i, i, at, JobState.SUCCEEDED, counts, failure);
                if (failure.get() != null) {
                    throw new IllegalStateException("producing the history failed", failure.get());
                }
            }
            JobState[] liveStates = {JobState.QUEUED, JobState.DISPATCHED, JobState.RUNNING};
            for (int i = 0; i < live; i++) {
                Instant at = now.minus(Duration.ofHours(1)).plusMillis(i * 3_600_000L / Math.max(1, live));
                write(producer, "l" + i, finished + i, at, liveStates[i % 3], counts, failure);
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the history failed", failure.get());
        }
        return counts;
    }

    /** One job's command and its events up to {@code until}. */
    private void write(KafkaProducer<String, byte[]> producer, String id, long i, Instant at, JobState until,
            long[] counts, AtomicReference<Exception> failure) {
        String tenant = tenant(tenants, i);
        JobSpec spec = spec(tenant, i);
        send(producer, commandsTopic, id, command(id, spec, at), failure);
        counts[1]++;
        // JobStateMachine.submit
        event(producer, JobEvents.job(id, JobState.QUEUED, at).spec(spec).submittedAt(at).build(), counts, failure);
        if (until == JobState.QUEUED) {
            return;
        }
        // Transitions.dispatch
        RunAssignment run = RunAssignment.of(id, 1, spec, at.plusMillis(40));
        event(producer, JobEvents.attempt(run, JobState.DISPATCHED, at.plusMillis(40)).build(), counts, failure);
        if (until == JobState.DISPATCHED) {
            return;
        }
        // ReportHandler.start (Transitions.attemptEvent)
        event(producer, JobEvents.job(id, JobState.SUBMITTING, at.plusMillis(900)).attempt(1).pool(spec.pool())
                .tenant(spec.tenant()).workerId(WORKER).build(), counts, failure);
        String app = "app-20261205" + String.format("%07d", i % 10_000_000) + "-" + i % 10_000;
        event(producer, JobEvents.job(id, JobState.RUNNING, at.plusSeconds(6)).attempt(1).pool(spec.pool())
                .tenant(spec.tenant()).workerId(WORKER).sparkAppId(app).build(), counts, failure);
        if (until == JobState.RUNNING) {
            return;
        }
        event(producer, JobEvents.job(id, JobState.SUCCEEDED, at.plusSeconds(95)).attempt(1).pool(spec.pool())
                .tenant(spec.tenant()).workerId(WORKER).exitCode(0).sparkAppId(app).build(), counts, failure);
    }

    /** The api's {@link SubmitJob} record (built as JSON, so that fields added to the record later do not matter here). */
    private static byte[] command(String id, JobSpec spec, Instant at) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("type", "submit");
        node.put("jobId", id);
        node.set("spec", Json.mapper().valueToTree(spec));
        node.put("submittedAt", at.toString());
        return Json.encode(node);
    }

    private void event(KafkaProducer<String, byte[]> producer, JobEvent event, long[] counts,
            AtomicReference<Exception> failure) {
        send(producer, eventsTopic, event.jobId(), Json.encode(event), failure);
        counts[0]++;
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value,
            AtomicReference<Exception> failure) {
        producer.send(new ProducerRecord<>(topic, key, value), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    static Map<String, Object> describe(long finished, int live, int tenants) {
        return Map.of("finishedJobs", finished, "liveJobs", live, "tenants", tenants);
    }
}
