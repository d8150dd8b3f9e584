package io.kindling.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.embedded.EmbeddedStack;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./kindling bench tax [pairs] [script] [args...]}: what Kindling adds to a Spark job. In
 * interleaved pairs (default 7, after 3 warm-up jobs: {@code -Dkindling.bench.warmUpJobs}) it runs (a) the script as a job of the embedded stack, started
 * here exactly as {@code ./kindling up} starts it ({@link EmbeddedStack} on the caller's
 * environment: its own broker, the worker launching the real spark-submit of the pinned pyspark
 * under {@code kindling-shim}), POST → SUCCEEDED as a client sees it on the job's event stream
 * ({@code GET /v1/jobs/{id}/events}, Server-Sent Events: no polling), and (b) the bare
 * {@code spark-submit --master local[*] --deploy-mode client} of the same script with the same conf (event
 * log on, the same Python, JDK and {@code SPARK_LOCAL_IP}). The stack runs (idle) during (b) too.
 * It reports each pair, the median ratio and each job's timeline (the worker took the attempt →
 * spark-submit exec'd → driver exited → SUCCEEDED event → seen by the client), and the stack's CPU
 * (this JVM's, the client being a light part of it) per job, also per component ({@link IdleBench#component}).
 */
public final class TaxBench {
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);

    private final EmbeddedStack stack;
    private final Path home;
    private final Path script;
    private final List<String> args;
    private final String authorization;
    private final HttpClient http = HttpClient.newHttpClient();

    private TaxBench(EmbeddedStack stack, Path home, Path script, List<String> args) throws IOException {
        this.stack = stack;
        this.home = home;
        this.script = script;
        this.args = args;
        this.authorization = BenchStack.adminAuthorization(home);
    }

    public static void main(String[] argv) throws Exception {
        int pairs = argv.length > 0 ? Integer.parseInt(argv[0]) : 7;
        Path script = Path.of(argv.length > 1 ? argv[1] : "examples/pi.py").toAbsolutePath();
        List<String> args = argv.length > 2 ? List.of(argv).subList(2, argv.length) : List.of("4");
        Path home = Files.createTempDirectory("kindling-tax");
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("KINDLING_HOME", home.toString());
        env.put("KINDLING_HTTP_PORT", "0");
        env.put("KINDLING_METRICS_PORT", "0");
        env.put("KINDLING_KAFKA_PORT", Integer.toString(IdleBench.freePort()));
        env.put("KINDLING_BLOB_STORE", "local");
        env.putIfAbsent("KINDLING_WORKER_LOCAL_PATHS", script.getParent().toString());
        ObjectNode json = BenchResults.start("tax");
        json.put("script", script.toString());
        json.putPOJO("args", args);
        json.put("loadBefore", IdleBench.loadAverage());
        try (EmbeddedStack stack = EmbeddedStack.start(env)) {
            new TaxBench(stack, home, script, args).run(pairs, json);
        }
        BenchDirs.delete(home);
        json.put("loadAfter", IdleBench.loadAverage());
        BenchResults.write(json);
        System.exit(0);
    }

    private void run(int pairs, ObjectNode json) throws Exception {
        // The stack's JVM compiles the code a job takes over its first jobs (a job runs each path
        // once, so the compile thresholds are reached job by job): a few jobs first, so the pairs
        // measure a running stack, not its JIT warm-up (each warm-up job's CPU is in the JSON).
        int warmUpJobs = Integer.getInteger("kindling.bench.warmUpJobs", 3);
        System.err.printf("warm-up: %d jobs and one bare spark-submit (not counted)%n", warmUpJobs);
        ArrayNode warmUp = json.putObject("warmUp").putArray("kindling");
        for (int i = 0; i < warmUpJobs; i++) {
            warmUp.add(kindling());
        }
        ((ObjectNode) json.get("warmUp")).set("bare", bare());
        ArrayNode rows = json.putArray("pairs");
        List<Double> ratios = new ArrayList<>();
        List<Double> kindlingMs = new ArrayList<>();
        List<Double> bareMs = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            // alternate which goes first, so a trend in the machine's load favours neither
            ObjectNode k;
            ObjectNode b;
            if (i % 2 == 0) {
                k = kindling();
                b = bare();
            } else {
                b = bare();
                k = kindling();
            }
            double ratio = k.get("wallMs").asDouble() / b.get("wallMs").asDouble();
            ObjectNode row = rows.addObject();
            row.put("pair", i + 1);
            row.put("ratio", Math.round(ratio * 1000) / 1000.0);
            row.set("kindling", k);
            row.set("bare", b);
            ratios.add(ratio);
            kindlingMs.add(k.get("wallMs").asDouble());
            bareMs.add(b.get("wallMs").asDouble());
            System.err.printf("pair %d: kindling %.0f ms, bare %.0f ms, ratio %.3f (load %s)%n", i + 1,
                    k.get("wallMs").asDouble(), b.get("wallMs").asDouble(), ratio, IdleBench.loadAverage());
        }
        json.put("medianRatio", Math.round(Percentiles.median(ratios) * 1000) / 1000.0);
        json.put("medianKindlingMs", Percentiles.median(kindlingMs));
        json.put("medianBareMs", Percentiles.median(bareMs));
        json.set("medianTimelineMs", medianTimeline(rows));
        json.put("medianStackCpuMsPerJob", Percentiles.median(values(rows, "kindling", "stackCpuMs")));
        json.put("medianStackCpuMsDuringBare", Percentiles.median(values(rows, "bare", "stackCpuMs")));
    }

    /** One job through the stack: POST → SUCCEEDED seen on its event stream, with its timeline. */
    private ObjectNode kindling() throws Exception {
        String body = Json.mapper().createObjectNode().set("application", Json.mapper().createObjectNode()
                .put("type", "python").put("file", script.toString())
                .set("args", Json.mapper().valueToTree(args))).toString();
        Map<String, long[]> threads0 = IdleBench.threads();
        long cpu0 = ThreadCpu.processNanos();
        long t0 = System.nanoTime();
        Instant posted = Instant.now();
        HttpResponse<String> r = http.send(request("/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
        }
        long accepted = System.nanoTime();
        String id = Json.mapper().readTree(r.body()).get("id").asText();
        Map<String, JsonNode> events = new HashMap<>();
        Instant seen = null;
        String attemptId = null;
        Optional<JsonNode> shim = Optional.empty();
        HttpResponse<Stream<String>> stream = http.send(request("/v1/jobs/" + id + "/events")
                .header("Accept", "text/event-stream").timeout(JOB_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = stream.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                JsonNode event = Json.mapper().readTree(line.substring(5).trim());
                String state = event.get("state").asText();
                events.putIfAbsent(state, event);
                if (event.hasNonNull("attemptId")) {
                    attemptId = event.get("attemptId").asText();
                }
                if ("RUNNING".equals(state) && attemptId != null) {
                    shim = readJson(home.resolve("spool").resolve(attemptId).resolve("shim.json"));
                }
                if (List.of("SUCCEEDED", "FAILED", "CANCELLED", "REJECTED").contains(state)) {
                    seen = Instant.now();
                    break;
                }
            }
        }
        long t1 = System.nanoTime();
        long cpu1 = ThreadCpu.processNanos();
        Map<String, Long> byComponent = IdleBench.cpuMsByComponent(threads0, IdleBench.threads());
        if (seen == null || !events.containsKey("SUCCEEDED")) {
            throw new IllegalStateException("job " + id + " did not succeed: " + events.keySet());
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("jobId", id);
        out.put("wallMs", (t1 - t0) / 1e6);
        out.put("postTo202Ms", (accepted - t0) / 1e6);
        out.put("stackCpuMs", (cpu1 - cpu0) / 1e6);
        out.set("stackCpuMsByComponent", Json.mapper().valueToTree(byComponent));
        ObjectNode timeline = out.putObject("timelineMs");
        for (String state : List.of("QUEUED", "DISPATCHED", "SUBMITTING", "RUNNING", "SUCCEEDED")) {
            Optional.ofNullable(events.get(state)).map(e -> Instant.parse(e.get("time").asText()))
                    .ifPresent(t -> timeline.put(state, millis(posted, t)));
        }
        shim.ifPresent(s -> {
            timeline.put("shimStarted", millis(posted, Instant.parse(s.get("startedAt").asText())));
            timeline.put("sparkSubmitExec", millis(posted, Instant.parse(s.get("execAt").asText())));
        });
        exitRecord(attemptId).ifPresent(e -> timeline.put("driverExited",
                millis(posted, Instant.parse(e.get("finishedAt").asText()))));
        timeline.put("seenByClient", millis(posted, seen));
        return out;
    }

    /** The shim's exit record (kept, renamed, once the end was reported). */
    private Optional<JsonNode> exitRecord(String attemptId) {
        Path exits = home.resolve("spool").resolve(".exits");
        return readJson(exits.resolve(attemptId + ".json")).or(() -> readJson(exits.resolve(attemptId + ".json.reported")))
                .map(record -> record.has("finishedAt") ? record : record.path("exit"));
    }

    private static Optional<JsonNode> readJson(Path file) {
        try {
            return Optional.of(Json.mapper().readTree(Files.readString(file)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The same script run by spark-submit alone, as the worker would run it (same conf and environment). */
    private ObjectNode bare() throws Exception {
        Path dir = Files.createTempDirectory(home, "bare");
        Path eventLog = Files.createDirectories(dir.resolve("eventlog"));
        String sparkHome = System.getenv("KINDLING_SPARK_HOME");
        List<String> command = new ArrayList<>(List.of(sparkHome + "/bin/spark-submit", "--master", "local[*]",
                "--deploy-mode", "client", "--name", "bare",
                "--conf", "spark.eventLog.enabled=true",
                "--conf", "spark.eventLog.dir=" + eventLog.toUri()));
        command.add(script.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(Files.createDirectories(dir.resolve("work")).toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("KINDLING_") || key.startsWith("MAVEN"));
        env.put("SPARK_HOME", sparkHome);
        env.put("JAVA_HOME", System.getenv("KINDLING_SPARK_JAVA_HOME"));
        Optional.ofNullable(System.getenv("KINDLING_PYSPARK_PYTHON")).ifPresent(p -> {
            env.put("PYSPARK_PYTHON", p);
            env.put("PYSPARK_DRIVER_PYTHON", p);
        });
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        long cpu0 = ThreadCpu.processNanos();
        long t0 = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(JOB_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("bare spark-submit did not end within " + JOB_TIMEOUT);
        }
        long t1 = System.nanoTime();
        long cpu1 = ThreadCpu.processNanos();
        if (process.exitValue() != 0) {
            throw new IllegalStateException("bare spark-submit exited " + process.exitValue() + "; see " + dir);
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("wallMs", (t1 - t0) / 1e6);
        out.put("stackCpuMs", (cpu1 - cpu0) / 1e6);
        return out;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.apiPort() + path))
                .header("Authorization", authorization);
    }

    private static ObjectNode medianTimeline(ArrayNode rows) {
        ObjectNode median = Json.mapper().createObjectNode();
        for (String step : List.of("QUEUED", "DISPATCHED", "SUBMITTING", "shimStarted", "sparkSubmitExec", "RUNNING",
                "driverExited", "SUCCEEDED", "seenByClient")) {
            List<Double> values = new ArrayList<>();
            rows.forEach(row -> Optional.ofNullable(row.get("kindling").get("timelineMs").get(step))
                    .ifPresent(v -> values.add(v.asDouble())));
            if (!values.isEmpty()) {
                median.put(step, Percentiles.median(values));
            }
        }
        return median;
    }

    private static List<Double> values(ArrayNode rows, String side, String field) {
        List<Double> values = new ArrayList<>();
        rows.forEach(row -> values.add(row.get(side).get(field).asDouble()));
        return values;
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }
}
