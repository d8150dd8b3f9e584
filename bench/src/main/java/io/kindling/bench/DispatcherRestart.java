package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
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
 * The dispatcher's restart, seen from outside (it has no readiness endpoint): from the process
 * start to the QUEUED event of a job submitted on the commands topic just before, so the figure
 * covers rebuilding its state and resuming its inputs. A first start (cold: it reads the whole
 * history) is waited for the same way, then the dispatcher is stopped and started again.
 */
final class DispatcherRestart {
    private static final Duration LIMIT = Duration.ofMinutes(30);

    private DispatcherRestart() {
    }

    /** {@code start} starts a dispatcher JVM whose output goes to the given log. */
    static void measure(String bootstrap, Topics topics, Function<Path, Process> start, Path dir, ObjectNode json)
            throws Exception {
        run(bootstrap, topics, start, dir.resolve("dispatcher-first.log"), "FirstStart", json);
        run(bootstrap, topics, start, dir.resolve("dispatcher-restart.log"), "Restart", json);
    }

    /**
     * One start: {@code dispatcher<name>Seconds} until the probe job is QUEUED, and the log's steps
     * ({@code dispatcher<name>PhasesSeconds}): ready (live jobs read, inputs assigned) and finished
     * jobs loaded (in the background; a submit of a job it does not know waits for them).
     */
    private static void run(String bootstrap, Topics topics, Function<Path, Process> start, Path log, String name,
            ObjectNode json) throws Exception {
        java.time.LocalTime started = java.time.LocalTime.now();
        long t0 = System.nanoTime();
        // a new id each run: a reused history knows the earlier runs' probes (a replay is not QUEUED again)
        String probe = "probe-" + name.toLowerCase(Locale.ROOT) + "-" + System.currentTimeMillis();
        Process dispatcher = start.apply(log);
        try {
            json.put("dispatcher" + name + "Seconds", untilQueued(bootstrap, topics, probe, dispatcher, t0));
        } finally {
            stop(dispatcher);
        }
        Map<String, String> steps = new java.util.LinkedHashMap<>();
        steps.put("jvmAndConfig", "dispatcher configuration");
        steps.put("readyLiveJobsRead", "dispatcher: caught up with");
        steps.put("finishedJobsLoaded", "dispatcher: finished jobs loaded");
        json.set("dispatcher" + name + "PhasesSeconds", RestartBench.phases(started, log, steps));
    }

    private static double untilQueued(String bootstrap, Topics topics, String jobId, Process dispatcher, long t0)
            throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            String command = "{\"type\": \"submit\", \"jobId\": \"" + jobId + "\", \"submittedAt\": \"" + Instant.now()
                    + "\", \"spec\": {\"name\": \"probe\", \"application\": {\"type\": \"python\", \"file\": \"/p.py\"}}}";
            producer.send(new ProducerRecord<>(topics.commands(), jobId, command.getBytes(StandardCharsets.UTF_8))).get();
        }
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.events()).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            long deadline = t0 + LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!dispatcher.isAlive()) {
                    throw new IllegalStateException("the dispatcher exited with " + dispatcher.exitValue());
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(r.key())) {
                        JobEvent event = Json.decode(r.value(), JobEvent.class);
                        if (event.state() == JobState.QUEUED || event.state() == JobState.REJECTED) {
                            return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("the dispatcher did not queue " + jobId + " within " + LIMIT);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }
}
