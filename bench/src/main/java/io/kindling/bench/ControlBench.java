package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import io.kindling.worker.launcher.NoOpLauncher;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The control plane's throughput and latency: the whole stack in one JVM ({@link BenchStack}: a
 * real Kafka broker, api, dispatcher, worker, log-shipper) whose worker launches every attempt with
 * a {@link NoOpLauncher} (it reports the app running and its exit 0 at once), so every figure is
 * Kindling's and Kafka's own. With {@code spark} instead, attempts run the Python stand-in
 * spark-submit (a real process per attempt, under the worker's supervision) and the figure is
 * attempts/s; with {@code instant}, the same with a spark-submit that exits at once
 * ({@link InstantSpark}), so the figure is the launch path's and not a Python interpreter's start.
 *
 * <p>Arguments: {@code [jobs=5000] [ratePerSecond=0] [no-op|spark|instant] [maxRunning=1000] [warmUpJobs]}. A rate of 0
 * submits as fast as {@value JobPoster#SUBMITTERS} concurrent clients go (the sustained throughput); a rate
 * offers that many POSTs a second, open loop (each latency counts from the POST's scheduled time).
 * A warm-up of {@code warmUpJobs} jobs (default {@code jobs / 5}, at most 1,000) runs first, at the same rate, and is
 * not counted: the JIT compiles the stack's paths over its first minutes, and a rate takes other paths than a closed
 * loop (smaller batches), so a sustained or latency figure wants some 60,000 (bench/README.md). It measures
 * POST → 202, POST → SUCCEEDED (seen on the events topic), the jobs SUCCEEDED per second over the
 * whole run and over its middle 60 %, and the JVM's CPU; it writes {@code bench/results/control-<time>.json}.
 */
public final class ControlBench {
    private ControlBench() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 0;
        String launcher = args.length > 2 ? args[2] : "no-op";
        if (!List.of("no-op", "spark", "instant").contains(launcher)) {
            throw new IllegalArgumentException("the launcher is no-op, spark or instant, not '" + launcher + "'");
        }
        boolean spark = !launcher.equals("no-op");
        int maxRunning = args.length > 3 ? Integer.parseInt(args[3]) : spark ? 64 : 1000;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : Math.min(1000, jobs / 5);
        try (BenchStack stack = BenchStack.start(Map.of("KINDLING_WORKER_MAX_RUNNING", Integer.toString(maxRunning)),
                spark ? null : NoOpLauncher::new, launcher.equals("instant"))) {
            Map<String, Instant> finished = new ConcurrentHashMap<>();
            Map<String, long[]> stages = new ConcurrentHashMap<>();
            watch(stack.bootstrapServers(), finished, stages, warmup + jobs);
            try (JobPoster poster = new JobPoster(stack.url("/v1/jobs"), stack.authorization(), stack.jobBody("0"))) {
                JobPoster.Run warm = poster.run(warmup, rate); // at the measured rate: the JIT compiles the paths that rate takes
                awaitAll(finished, warm.submitted().keySet());
                double cpu0 = ThreadCpu.processNanos() / 1e9;
                ThreadCpu threadCpu = new ThreadCpu();
                JobPoster.Run run = poster.run(jobs, rate);
                awaitAll(finished, run.submitted().keySet());
                double cpu = ThreadCpu.processNanos() / 1e9 - cpu0;
                Map<String, Long> byThread = threadCpu.since();
                ObjectNode offsets = offsetsPerJob(stack.bootstrapServers(), warmup + jobs);
                ObjectNode json = report(jobs, rate, launcher, maxRunning, warmup, run, finished, stages, cpu, offsets);
                json.set("cpuMsPerJobByThread", byThread(byThread, cpu, json.path("succeeded").asInt()));
                json.set("shipper", ShipperDrain.await(stack.spool(), run.start(), threadCpu, jobs));
                BenchResults.write(json);
            }
        }
    }

    private static void awaitAll(Map<String, Instant> finished, java.util.Set<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (!finished.keySet().containsAll(ids) && System.nanoTime() < deadline) {
            Thread.sleep(50); // waiting for the events watcher
        }
    }

    /** The lifecycle states whose events the stage latencies are between, in order. */
    private static final List<JobState> STAGES = List.of(JobState.QUEUED, JobState.DISPATCHED, JobState.SUBMITTING,
            JobState.RUNNING, JobState.SUCCEEDED);

    /**
     * Reads the events topic from its start: each job's SUCCEEDED time as seen here into
     * {@code finished}, and the record timestamp (the dispatcher's send) of each of its
     * {@link #STAGES} events into {@code stages}.
     */
    private static Thread watch(String bootstrap, Map<String, Instant> finished, Map<String, long[]> stages, int expected) {
        Thread thread = new Thread(() -> {
            KafkaClients clients = new KafkaClients(new KafkaConfig(bootstrap, new Topics(Topics.DEFAULT_PREFIX), 1, (short) 1));
            String topic = new Topics(Topics.DEFAULT_PREFIX).events();
            try (KafkaConsumer<String, byte[]> consumer = clients.consumer(null, "kindling-bench-watch", Map.of())) {
                List<TopicPartition> partitions = new ArrayList<>();
                consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
                while (finished.size() < expected && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        JobEvent event = Json.decode(record.value(), JobEvent.class);
                        int stage = STAGES.indexOf(event.state());
                        if (stage >= 0) {
                            stages.computeIfAbsent(event.jobId(), k -> new long[STAGES.size()])[stage] = record.timestamp();
                        }
                        if (event.state() == JobState.SUCCEEDED) {
                            finished.putIfAbsent(event.jobId(), Instant.now());
                        } else if (event.state().terminal()) {
                            throw new IllegalStateException("job " + event.jobId() + " ended " + event.state() + ": "
                                    + event.message());
                        }
                    }
                }
            }
        }, "bench-events");
        thread.setDaemon(true); // a refused POST leaves it short of its count: it must not keep the JVM up
        thread.start();
        return thread;
    }

    /** Per stage (POST → QUEUED, QUEUED → DISPATCHED, …, SUCCEEDED → seen here), its latencies' percentiles. */
    private static ObjectNode stageLatencies(JobPoster.Run run, Map<String, Instant> finished, Map<String, long[]> stages) {
        List<List<Double>> samples = new ArrayList<>();
        for (int i = 0; i <= STAGES.size(); i++) {
            samples.add(new ArrayList<>());
        }
        run.submitted().forEach((id, at) -> {
            long[] t = stages.get(id);
            Instant seen = finished.get(id);
            if (t == null || seen == null) {
                return;
            }
            long previous = at.toEpochMilli();
            for (int i = 0; i < STAGES.size(); i++) {
                samples.get(i).add((double) (t[i] - previous));
                previous = t[i];
            }
            samples.get(STAGES.size()).add((double) (seen.toEpochMilli() - previous));
        });
        ObjectNode json = Json.mapper().createObjectNode();
        String from = "POST";
        for (int i = 0; i <= STAGES.size(); i++) {
            String to = i < STAGES.size() ? STAGES.get(i).name() : "seen";
            Map<String, Double> p = Percentiles.of(samples.get(i));
            json.put(from + "->" + to, "p50 " + p.get("p50") + ", p99 " + p.get("p99"));
            from = to;
        }
        return json;
    }

    /** Kafka client metrics that say where the time goes, per client (from their JMX beans in this JVM). */
    private static final List<String> CLIENT_METRICS = List.of("fetch-latency-avg", "fetch-latency-max",
            "records-per-request-avg", "fetch-rate", "request-latency-avg", "record-queue-time-avg", "batch-size-avg",
            "records-per-request-avg", "txn-commit-time-ns-total", "txn-send-offsets-time-ns-total", "record-send-rate",
            "commit-latency-avg", "commit-rate");

    private static ObjectNode kafkaClientMetrics() throws Exception {
        javax.management.MBeanServer beans = ManagementFactory.getPlatformMBeanServer();
        ObjectNode json = Json.mapper().createObjectNode();
        for (String type : List.of("kafka.consumer:type=consumer-fetch-manager-metrics,client-id=*",
                "kafka.consumer:type=consumer-coordinator-metrics,client-id=*", "kafka.producer:type=producer-metrics,client-id=*")) {
            for (javax.management.ObjectName name : beans.queryNames(new javax.management.ObjectName(type), null)) {
                ObjectNode client = json.has(name.getKeyProperty("client-id")) ? (ObjectNode) json.get(name.getKeyProperty("client-id"))
                        : json.putObject(name.getKeyProperty("client-id"));
                for (javax.management.MBeanAttributeInfo attribute : beans.getMBeanInfo(name).getAttributes()) {
                    if (CLIENT_METRICS.contains(attribute.getName())) {
                        Object value = beans.getAttribute(name, attribute.getName());
                        if (value instanceof Double d && !d.isNaN() && !d.isInfinite()) {
                            client.put(attribute.getName(), Percentiles.round(d));
                        }
                    }
                }
            }
        }
        return json;
    }

    /**
     * Per Kindling topic, its end offsets summed over its partitions per job submitted (warm-up
     * included): the records the stack wrote for a job, plus the transactions' commit markers.
     */
    static ObjectNode offsetsPerJob(String bootstrap, int jobs) {
        ObjectNode json = Json.mapper().createObjectNode();
        KafkaClients clients = new KafkaClients(new KafkaConfig(bootstrap, new Topics(Topics.DEFAULT_PREFIX), 1, (short) 1));
        try (KafkaConsumer<String, byte[]> consumer = clients.consumer(null, "kindling-bench-offsets", Map.of())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.listTopics(Duration.ofSeconds(30)).forEach((topic, infos) -> {
                if (topic.startsWith(Topics.DEFAULT_PREFIX)) {
                    infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
                }
            });
            Map<String, Long> byTopic = new java.util.TreeMap<>();
            consumer.endOffsets(partitions, Duration.ofSeconds(30)).forEach((partition, end) ->
                    byTopic.merge(partition.topic(), end, Long::sum));
            double total = 0;
            for (Map.Entry<String, Long> topic : byTopic.entrySet()) {
                if (topic.getValue() > 0) {
                    json.put(topic.getKey(), Percentiles.round((double) topic.getValue() / jobs));
                    total += (double) topic.getValue() / jobs;
                }
            }
            json.put("total", Percentiles.round(total));
        }
        return json;
    }

    private static ObjectNode report(int jobs, double rate, String launcher, int maxRunning, int warmup, JobPoster.Run run,
            Map<String, Instant> finished, Map<String, long[]> stages, double cpuSeconds, ObjectNode offsetsPerJob)
            throws Exception {
        List<Double> endToEndMs = new ArrayList<>();
        List<Instant> ends = new ArrayList<>();
        run.submitted().forEach((id, at) -> {
            Instant done = finished.get(id);
            if (done != null) {
                endToEndMs.add(Duration.between(at, done).toNanos() / 1e6);
                ends.add(done);
            }
        });
        Collections.sort(ends);
        double seconds = ends.isEmpty() ? 0 : Duration.between(run.start(), ends.getLast()).toNanos() / 1e9;
        ObjectNode json = BenchResults.start("control");
        boolean spark = !launcher.equals("no-op");
        json.put("launcher", switch (launcher) {
            case "spark" -> "stand-in spark-submit";
            case "instant" -> "instant spark-submit";
            default -> "no-op";
        });
        json.put("jobs", jobs);
        json.put("warmupJobs", warmup);
        run.report(json);
        json.put("succeeded", ends.size());
        json.put("offeredPostsPerSecond", rate > 0 ? rate : null);
        json.put("concurrentSubmitters", rate > 0 ? null : JobPoster.SUBMITTERS);
        json.put("workerMaxRunning", maxRunning);
        json.set("endToEndLatencyMs", Json.mapper().valueToTree(Percentiles.of(endToEndMs)));
        json.set("stageMs", stageLatencies(run, finished, stages));
        json.put(spark ? "attemptsPerSecond" : "jobsPerSecond", Percentiles.round(ends.size() / Math.max(seconds, 1e-3)));
        if (!ends.isEmpty()) {
            json.put("cpuMsPerJob", Percentiles.round(cpuSeconds * 1000 / ends.size()));
        }
        if (ends.size() >= 10) {
            // the middle 60 % of the ends: without the ramp-up and the tail
            int first = ends.size() / 5;
            int last = ends.size() * 4 / 5;
            double middleSeconds = Duration.between(ends.get(first), ends.get(last)).toNanos() / 1e9;
            json.put("steadyPerSecond", Percentiles.round((last - first) / Math.max(middleSeconds, 1e-3)));
        }
        json.put("seconds", Percentiles.round(seconds));
        json.put("processCpuCores", Percentiles.round(cpuSeconds / Math.max(seconds, 1e-3)));
        json.set("offsetsPerJob", offsetsPerJob);
        json.set("kafkaClients", kafkaClientMetrics());
        json.put("loadAverage", Files.readString(Path.of("/proc/loadavg")).trim());
        return json;
    }

    /** The measured phase's CPU per job by thread (those above 0.05 ms), the rest as one figure. */
    private static ObjectNode byThread(Map<String, Long> nanosByThread, double cpuSeconds, int jobs) {
        ObjectNode json = Json.mapper().createObjectNode();
        double perJob = 1e6 * Math.max(jobs, 1);
        long named = 0;
        for (Map.Entry<String, Long> thread : nanosByThread.entrySet()) {
            named += thread.getValue();
            if (thread.getValue() / perJob >= 0.05) {
                json.put(thread.getKey(), Math.round(thread.getValue() / perJob * 100) / 100.0);
            }
        }
        json.put("(JIT, GC, threads that ended)", Math.round((cpuSeconds * 1e9 - named) / perJob * 100) / 100.0);
        return json;
    }
}
