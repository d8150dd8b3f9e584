package io.kindling.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.broker.BrokerConfig;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.dispatcher.DispatcherTopics;
import io.kindling.schemas.Json;
import io.kindling.schemas.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restart cost with a long history (issue 10, "Tests and benchmarks"): a real Kafka broker in
 * this JVM, {@code finished} finished jobs and {@code live} live ones written on the topics in
 * the components' own formats ({@link HistoryGenerator}), then the api in a JVM of its own with
 * {@code -Xmx512m}: its first start (it builds its job store from the whole events topic), a
 * graceful stop, and the measured restart (process start → {@code /health/ready} 200), then
 * listing one tenant's 50 newest jobs over HTTP (p50/p99) and a job's view, and the api's heap
 * after a full GC. With {@code dispatcher} as fifth argument, the dispatcher's restart too
 * ({@link DispatcherRestart}). Arguments: {@code [finished=1000000] [live=1000] [tenants=100]
 * [requests=2000] [dispatcher]}.
 * Prints the figures and writes them to {@code bench/results/restart-<time>.json} ({@link BenchResults}).
 */
public final class RestartBench {
    private static final Duration READY_LIMIT = Duration.ofMinutes(30);
    private static final String HEAP = "-Xmx512m";
    /** The issue sets no heap figure for the dispatcher; this one only keeps it from taking the machine. */
    private static final String DISPATCHER_HEAP = "-Xmx4g";

    private RestartBench() {
    }

    public static void main(String[] all) throws Exception {
        // reuse=<dir>: the broker data and api store of an earlier run (its figures must be passed again)
        Path reuse = java.util.Arrays.stream(all).filter(a -> a.startsWith("reuse=")).map(a -> Path.of(a.substring(6)))
                .findFirst().orElse(null);
        String[] args = java.util.Arrays.stream(all).filter(a -> !a.startsWith("reuse=")).toArray(String[]::new);
        long finished = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        int live = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int tenants = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int requests = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
        boolean dispatcher = args.length > 4 && args[4].equals("dispatcher");
        Path dir = reuse != null ? reuse : Files.createTempDirectory("kindling-restart-bench");
        ObjectNode json = BenchResults.start("restart");
        json.put("finishedJobs", finished);
        json.put("liveJobs", live);
        json.put("tenants", tenants);
        json.put("apiHeap", HEAP);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka")))) {
            KafkaConfig kafka = KafkaConfig.fromEnv(Map.of("KINDLING_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers()));
            Topics topics = kafka.topics();
            TopicCreator creator = new TopicCreator(new KafkaClients(kafka));
            creator.ensure(List.of(topics.commands(), topics.events()), Duration.ofSeconds(60));
            creator.ensureTopics(DispatcherTopics.own(kafka), Duration.ofSeconds(60));
            if (reuse == null) {
                generate(broker, topics, finished, live, tenants, json);
            } else {
                json.put("reused", reuse.toString());
            }


            Map<String, String> env = Map.of(
                    "KINDLING_HOME", dir.resolve("api-home").toString(),
                    "KINDLING_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "KINDLING_HTTP_HOST", "127.0.0.1",
                    "KINDLING_HTTP_PORT", Integer.toString(freePort()),
                    "KINDLING_METRICS_HOST", "127.0.0.1",
                    "KINDLING_METRICS_PORT", Integer.toString(freePort()),
                    "KINDLING_BLOB_STORE", "local",
                    "KINDLING_BLOB_DIR", dir.resolve("blobs").toString(),
                    // loopback only: every request acts as an admin, who names the tenant to list
                    "KINDLING_AUTH_DISABLED", "true");
            String base = "http://127.0.0.1:" + env.get("KINDLING_HTTP_PORT");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

            Process first = startApi(env, dir.resolve("api-first.log"));
            double firstSeconds = awaitReady(http, base, first);
            json.put("firstStartSeconds", firstSeconds);
            log("first start (store built from the whole topic): ready in %.1f s", firstSeconds);
            stop(first);

            java.time.LocalTime started = java.time.LocalTime.now();
            Process api = startApi(env, dir.resolve("api-restart.log"));
            try {
                double restartSeconds = awaitReady(http, base, api);
                json.put("restartSeconds", restartSeconds);
                json.set("restartPhasesSeconds", phases(started, dir.resolve("api-restart.log")));
                log("restart: ready in %.2f s (%s)", restartSeconds, json.get("restartPhasesSeconds"));
                measureRequests(http, base, tenants, finished, requests, json,
                        new Watched(api.pid(), gcLog(dir.resolve("api-restart.log")),
                                "http://127.0.0.1:" + env.get("KINDLING_METRICS_PORT")));
                heap(api, json);
                json.put("storeBytes", storeBytes(dir.resolve("api-home").resolve("api")));
            } finally {
                stop(api);
            }
            if (dispatcher) {
                Map<String, String> denv = Map.of(
                        "KINDLING_HOME", dir.resolve("dispatcher-home").toString(),
                        "KINDLING_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                        "KINDLING_POOLS", "default");
                DispatcherRestart.measure(broker.bootstrapServers(), topics,
                        log -> startJvm("io.kindling.dispatcher.DispatcherMain", DISPATCHER_HEAP, denv, log), dir, json);
                log("dispatcher: first start %.1f s, restart %.2f s (to a new job QUEUED)",
                        json.path("dispatcherFirstStartSeconds").asDouble(), json.path("dispatcherRestartSeconds").asDouble());
            }
        }
        json.put("passes", json.path("restartSeconds").asDouble(99) <= 10
                && json.path("listTenant50Ms").path("p99").asDouble(99) <= 20 && json.path("heapOk").asBoolean());
        BenchResults.write(json);
    }

    /** When the api's log says it reached each step of its start, in seconds since its process started. */
    private static ObjectNode phases(java.time.LocalTime started, Path log) throws IOException {
        Map<String, String> steps = new java.util.LinkedHashMap<>();
        steps.put("jvmAndConfig", "kindling api starting with");
        steps.put("storeOpenAndLiveJobsLoaded", "live jobs loaded");
        steps.put("eventsCaughtUp", "caught up with");
        steps.put("httpListening", "api listening on");
        return phases(started, log, steps);
    }

    /** When a log says it reached each step ({@code name → text of its line}), in seconds since {@code started}. */
    static ObjectNode phases(java.time.LocalTime started, Path log, Map<String, String> steps) throws IOException {
        ObjectNode out = Json.mapper().createObjectNode();
        List<String> lines = Files.readAllLines(log);
        steps.forEach((name, marker) -> lines.stream().filter(l -> l.contains(marker)).findFirst().ifPresent(l -> {
            java.time.LocalTime at = java.time.LocalTime.parse(l.substring(0, 12));
            out.put(name, Math.round(Duration.between(started, at).toMillis() / 10.0) / 100.0);
        }));
        return out;
    }

    private static void generate(EmbeddedKafkaBroker broker, Topics topics, long finished, int live, int tenants,
            ObjectNode json) throws Exception {
        long t0 = System.nanoTime();
        long[] written = new HistoryGenerator(broker.bootstrapServers(), topics, tenants)
                .generate(finished, live, Instant.now(), Duration.ofDays(20));
        double generateSeconds = seconds(t0);
        json.put("eventsWritten", written[0]);
        json.put("commandsWritten", written[1]);
        json.put("dispatcherStateRecordsWritten", written[2]);
        json.put("generateSeconds", generateSeconds);
        json.put("generateEventsPerSecond", Math.round(written[0] / generateSeconds));
        log("wrote %d events, %d commands and %d dispatcher state records in %.1f s", written[0], written[1], written[2],
                generateSeconds);
    }

    /** Listing a random tenant's 50 newest jobs, and getting a random finished job, each {@code requests} times after a warm-up. */
    private static void measureRequests(HttpClient http, String base, int tenants, long finished, int requests,
            ObjectNode json, Watched api) throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < Math.min(1_000, requests); i++) {
            listTenant(http, base, HistoryGenerator.tenant(tenants, random.nextInt(tenants)));
        }
        GcPauses gc = GcPauses.since(api.gcLog());
        long readBefore = ServerSide.readBytes(api.pid());
        List<Double> list = new ArrayList<>();
        int items = 0;
        for (int i = 0; i < requests; i++) {
            String tenant = HistoryGenerator.tenant(tenants, random.nextInt(tenants));
            long t0 = System.nanoTime();
            JsonNode page = listTenant(http, base, tenant);
            list.add((System.nanoTime() - t0) / 1e6);
            items += page.path("items").size();
        }
        json.set("listTenant50Ms", Json.mapper().valueToTree(Percentiles.of(list)));
        json.put("listTenant50AverageItems", items / (double) requests);
        json.set("listTenant50Gc", gc.summary());
        json.set("listTenant50Server", ServerSide.timer(http, api.metrics(), "listJobs", 20)
                .put("storageReadBytes", ServerSide.readBytes(api.pid()) - readBefore));
        json.put("listTenant50Over20Ms", list.stream().filter(ms -> ms > 20).count());
        List<Double> get = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String id = "h" + (long) (random.nextDouble() * finished);
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/jobs/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            get.add((System.nanoTime() - t0) / 1e6);
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /v1/jobs/" + id + " answered " + r.statusCode() + ": " + r.body());
            }
        }
        json.set("getFinishedJobMs", Json.mapper().valueToTree(Percentiles.of(get)));
        log("list a tenant's 50 newest: %s; get a finished job: %s", json.get("listTenant50Ms"), json.get("getFinishedJobMs"));
    }

    /** The tenant's jobs, as a caller of several tenants (here an admin) asks for one of them. */
    private static JsonNode listTenant(HttpClient http, String base, String tenant) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                base + "/v1/jobs?limit=50&tenant=" + tenant)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("listing answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode page = Json.mapper().readTree(r.body());
        if (page.path("items").size() != 50) {
            throw new IllegalStateException("expected 50 jobs of " + tenant + ", got " + page.path("items").size());
        }
        return page;
    }

    /** The api process measured: its pid, its collections' log and its metrics endpoint. */
    private record Watched(long pid, Path gcLog, String metrics) {
    }

    /** Where a child JVM logging to {@code log} logs its collections. */
    private static Path gcLog(Path log) {
        return log.resolveSibling(log.getFileName() + ".gc");
    }

    private static Process startApi(Map<String, String> env, Path log) throws IOException {
        return startJvm("io.kindling.api.ApiMain", HEAP, env, log);
    }

    private static Process startJvm(String main, String heap, Map<String, String> env, Path log) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), heap, "-XX:+ExitOnOutOfMemoryError",
                GcPauses.logOption(gcLog(log)),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), main);
        pb.environment().keySet().removeIf(k -> k.startsWith("KINDLING_"));
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double awaitReady(HttpClient http, String base, Process api) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + READY_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!api.isAlive()) {
                throw new IllegalStateException("the api exited with " + api.exitValue() + " before it was ready");
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return seconds(t0);
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(20); // polling an external process: no event to wait on
        }
        throw new IllegalStateException("the api was not ready within " + READY_LIMIT);
    }

    private static void heap(Process api, ObjectNode json) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        run(jcmd.toString(), Long.toString(api.pid()), "GC.run");
        String info = run(jcmd.toString(), Long.toString(api.pid()), "GC.heap_info");
        Matcher used = Pattern.compile("(?:committed|total) (\\d+)K, used (\\d+)K").matcher(info);
        if (used.find()) {
            json.put("heapCommittedMiB", Long.parseLong(used.group(1)) / 1024);
            json.put("heapUsedAfterGcMiB", Long.parseLong(used.group(2)) / 1024);
        } else {
            json.put("heapInfo", info);
        }
        json.put("heapOk", api.isAlive() && json.has("heapUsedAfterGcMiB") && json.get("heapUsedAfterGcMiB").asLong() <= 512);
        for (String line : Files.readAllLines(Path.of("/proc/" + api.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                json.put("rssMiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024);
            }
        }
    }

    private static long storeBytes(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static void stop(Process api) throws InterruptedException {
        api.destroy();
        if (!api.waitFor(60, TimeUnit.SECONDS)) {
            api.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static double seconds(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[restart-bench] " + format + "%n", args);
    }
}
