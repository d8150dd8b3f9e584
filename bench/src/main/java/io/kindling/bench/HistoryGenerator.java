package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.common.pools.PoolConfig;
import io.kindling.dispatcher.kafka.Dispatcher;
import io.kindling.dispatcher.kafka.StateRecords;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a synthetic history on the topics in the exact formats the components write: for each
 * job, the api's {@link SubmitJob} command on {@code jobs.commands}, and the events the
 * dispatcher folds it into on {@code jobs.events}, built with the same {@link JobEvents} calls
 * as the dispatcher's {@code JobStateMachine}, {@code Transitions} and {@code ReportHandler}
 * (QUEUED with the spec, DISPATCHED from the run assignment, SUBMITTING, RUNNING, SUCCEEDED).
 * Then the dispatcher's own records for the job, built by its {@link StateRecords} from those
 * events (a live job's state on {@code dispatcher.state}, a finished job's record on
 * {@code dispatcher.finished}; the state topic's tombstone of a job that ended more than three
 * hours ago is left out, as the cleaner has removed it), the state topic's marker, and the commands group's
 * offsets at the end of {@code jobs.commands}: a dispatcher started on this history takes none of
 * it as new. Finished jobs are spread over the {@code span} before {@code now}; live ones are in
 * the last hour, a third each QUEUED, DISPATCHED and RUNNING. One batching producer (lz4, 256 KiB
 * batches).
 */
final class HistoryGenerator {
    private static final String WORKER = "bench-worker-1";

    /**
     * How long the state topic's tombstones last: its {@code delete.retention.ms} (1 h) counts from
     * when their segment (rolled hourly) is cleaned, so up to about three hours.
     */
    private static final Duration TOMBSTONES_KEPT = Duration.ofHours(3);

    private final String bootstrap;
    private final Topics topics;
    private final StateRecords state;
    private final int tenants;

    HistoryGenerator(String bootstrap, Topics topics, int tenants) {
        this.bootstrap = bootstrap;
        this.topics = topics;
        this.state = new StateRecords(topics, List.of(PoolConfig.defaults("default")));
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

    /** Returns {events, commands, dispatcher state records} written. */
    long[] generate(long finished, int live, Instant now, Duration span) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * 1024 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        AtomicReference<Exception> failure = new AtomicReference<>();
        long[] counts = new long[3];
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
            send(producer, state.marker(now), failure);
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("producing the history failed", failure.get());
        }
        commitCommands();
        return counts;
    }

    /** The dispatcher's commands group at the end of {@code jobs.commands}: every command there was consumed. */
    private void commitCommands() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topics.commands())).allTopicNames().get().get(topics.commands()).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topics.commands(), p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> offsets.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(Dispatcher.id(topics), offsets).all().get();
        }
    }

    /** One job's command and its events up to {@code until}. */
    private void write(KafkaProducer<String, byte[]> producer, String id, long i, Instant at, JobState until,
            long[] counts, AtomicReference<Exception> failure) {
        String tenant = tenant(tenants, i);
        JobSpec spec = spec(tenant, i);
        send(producer, new ProducerRecord<>(topics.commands(), id, command(id, spec, at)), failure);
        counts[1]++;
        List<JobEvent> events = events(id, i, spec, at, until);
        for (JobEvent event : events) {
            send(producer, new ProducerRecord<>(topics.events(), id, Json.encode(event)), failure);
            counts[0]++;
        }
        boolean tombstoneCleaned = until.terminal() && events.getLast().time().isBefore(Instant.now().minus(TOMBSTONES_KEPT));
        for (ProducerRecord<String, byte[]> record : state.of(events)) {
            if (!(tombstoneCleaned && record.value() == null && record.topic().equals(topics.dispatcherState()))) {
                send(producer, record, failure);
                counts[2]++;
            }
        }
    }

    /** The events the dispatcher wrote for one job up to {@code until}. */
    private static List<JobEvent> events(String id, long i, JobSpec spec, Instant at, JobState until) {
        List<JobEvent> events = new ArrayList<>();
        // JobStateMachine.submit
        events.add(JobEvents.job(id, JobState.QUEUED, at).spec(spec).submittedAt(at).build());
        if (until == JobState.QUEUED) {
            return events;
        }
        // Transitions.dispatch
        RunAssignment run = RunAssignment.of(id, 1, spec, at.plusMillis(40));
        events.add(JobEvents.attempt(run, JobState.DISPATCHED, at.plusMillis(40)).build());
        if (until == JobState.DISPATCHED) {
            return events;
        }
        // ReportHandler.start (Transitions.attemptEvent)
        events.add(JobEvents.job(id, JobState.SUBMITTING, at.plusMillis(900)).attempt(1).pool(spec.pool())
                .tenant(spec.tenant()).workerId(WORKER).build());
        String app = "app-20261205" + String.format("%07d", i % 10_000_000) + "-" + i % 10_000;
        events.add(JobEvents.job(id, JobState.RUNNING, at.plusSeconds(6)).attempt(1).pool(spec.pool())
                .tenant(spec.tenant()).workerId(WORKER).sparkAppId(app).build());
        if (until == JobState.RUNNING) {
            return events;
        }
        events.add(JobEvents.job(id, JobState.SUCCEEDED, at.plusSeconds(95)).attempt(1).pool(spec.pool())
                .tenant(spec.tenant()).workerId(WORKER).exitCode(0).sparkAppId(app).build());
        return events;
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

    private static void send(KafkaProducer<String, byte[]> producer, ProducerRecord<String, byte[]> record,
            AtomicReference<Exception> failure) {
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    static Map<String, Object> describe(long finished, int live, int tenants) {
        return Map.of("finishedJobs", finished, "liveJobs", live, "tenants", tenants);
    }
}
