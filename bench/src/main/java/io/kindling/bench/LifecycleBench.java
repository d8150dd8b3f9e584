package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.broker.BrokerConfig;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.embedded.EmbeddedStack;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.spark.StandInSpark;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The job lifecycle's own overhead: the whole stack in one JVM (real Kafka broker, api,
 * dispatcher, worker, log-shipper) running jobs whose spark-submit is a stand-in that exits at
 * once, so the figures are Kindling's, not Spark's. Measures the api's submit latency (POST →
 * 202), the end-to-end latency (POST → SUCCEEDED on the events topic) and the throughput.
 * Arguments: {@code [jobs=200] [concurrency=8] [maxRunning=4]}. Prints the figures and writes
 * them to {@code bench/results/lifecycle-<time>.json}.
 */
public final class LifecycleBench {
    private LifecycleBench() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int maxRunning = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        try (BenchStack stack = BenchStack.start(Map.of("KINDLING_WORKER_MAX_RUNNING", Integer.toString(maxRunning)))) {
            Map<String, Instant> finished = new ConcurrentHashMap<>();
            Thread watcher = watchSucceeded(stack.bootstrapServers(), "kindling.jobs.events", finished, jobs);
            String body = stack.jobBody("0");
            List<Double> submitMs = Collections.synchronizedList(new ArrayList<>());
            Map<String, Instant> submitted = new ConcurrentHashMap<>();
            Instant start = Instant.now();
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            List<Future<?>> sends = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                sends.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    Instant at = Instant.now();
                    String id = stack.submit(body);
                    submitMs.add((System.nanoTime() - t0) / 1e6);
                    submitted.put(id, at);
                    return null;
                }));
            }
            for (Future<?> f : sends) {
                f.get();
            }
            pool.shutdown();
            watcher.join(Duration.ofMinutes(15).toMillis());
            Instant end = finished.values().stream().max(Instant::compareTo).orElse(Instant.now());
            List<Double> endToEndMs = new ArrayList<>();
            submitted.forEach((id, at) -> {
                Instant done = finished.get(id);
                if (done != null) {
                    endToEndMs.add(Duration.between(at, done).toNanos() / 1e6);
                }
            });
            report(jobs, concurrency, maxRunning, submitMs, endToEndMs, finished.size(),
                    Duration.between(start, end).toMillis() / 1000.0);
        }
    }

    private static Thread watchSucceeded(String bootstrap, String topic, Map<String, Instant> finished, int expected) {
        Thread thread = new Thread(() -> {
            // every Kafka client is built by KafkaClients (read_committed, no group: assigned below)
            KafkaClients clients = new KafkaClients(new KafkaConfig(bootstrap, new Topics(Topics.DEFAULT_PREFIX), 1, (short) 1));
            try (KafkaConsumer<String, byte[]> consumer = clients.consumer(null, "kindling-bench-watch", Map.of())) {
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
                while (finished.size() < expected && Instant.now().isBefore(deadline)) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        JobEvent event = Json.decode(record.value(), JobEvent.class);
                        if (event.state() == JobState.SUCCEEDED) {
                            finished.putIfAbsent(event.jobId(), Instant.now());
                        } else if (event.state().terminal()) {
                            throw new IllegalStateException("job " + event.jobId() + " ended " + event.state()
                                    + ": " + event.message());
                        }
                    }
                }
            }
        }, "bench-events");
        thread.start();
        return thread;
    }

    private static void report(int jobs, int concurrency, int maxRunning, List<Double> submitMs, List<Double> endToEndMs,
            int succeeded, double seconds) throws Exception {
        ObjectNode json = BenchResults.start("lifecycle");
        json.put("jobs", jobs);
        json.put("succeeded", succeeded);
        json.put("concurrency", concurrency);
        json.put("workerMaxRunning", maxRunning);
        json.set("submitLatencyMs", Json.mapper().valueToTree(Percentiles.of(submitMs)));
        json.set("endToEndLatencyMs", Json.mapper().valueToTree(Percentiles.of(endToEndMs)));
        json.put("throughputJobsPerSecond", Math.round(succeeded / Math.max(seconds, 0.001) * 100) / 100.0);
        BenchResults.write(json);
    }
}
