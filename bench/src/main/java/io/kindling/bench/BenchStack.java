package io.kindling.bench;

import io.kindling.api.auth.AdminToken;
import io.kindling.broker.BrokerConfig;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.embedded.EmbeddedStack;
import io.kindling.testsupport.spark.StandInSpark;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The whole stack in one JVM for a benchmark: a real Kafka broker, the embedded components (api,
 * dispatcher, worker, log-shipper) on a local blob store, and a stand-in spark-submit
 * ({@link StandInSpark}) so the figures are Kindling's, not Spark's. Jobs are submitted as the
 * admin whose token the stack made, as for {@code ./kindling up}.
 */
final class BenchStack implements AutoCloseable {
    /** {@code -Dkindling.bench.env.KINDLING_API_CACHED_JOBS=1000}: a setting of the stack, for one run. */
    static final String ENV_PREFIX = "kindling.bench.env.";
    private final EmbeddedKafkaBroker broker;
    private final EmbeddedStack stack;
    private final Path app;
    private final Path dir;
    private final Path spool;
    private final String authorization;
    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** A benchmark stopped before its end (Ctrl-C, {@code kill}) still stops its stack and removes its directories. */
    private final Thread stopHook = new Thread(this::closeOnStop, "bench-stack-stop");

    private BenchStack(EmbeddedKafkaBroker broker, EmbeddedStack stack, Path dir, Path spool, Path app,
            String authorization) {
        this.broker = broker;
        this.dir = dir;
        this.spool = spool;
        this.stack = stack;
        this.app = app;
        this.authorization = authorization;
    }

    /** Starts it all; {@code settings} add to (or override) the stack's environment. */
    static BenchStack start(Map<String, String> settings) throws Exception {
        return start(settings, null);
    }

    /** As {@link #start(Map)}, the worker launching every attempt with {@code launchers}' launcher when not null. */
    static BenchStack start(Map<String, String> settings,
            java.util.function.Supplier<io.kindling.worker.launcher.Launcher> launchers) throws Exception {
        return start(settings, launchers, false);
    }

    /**
     * As {@link #start(Map, java.util.function.Supplier)}; with {@code instant}, spark-submit is
     * {@link InstantSpark} (exits at once) instead of the Python stand-in.
     */
    static BenchStack start(Map<String, String> settings,
            java.util.function.Supplier<io.kindling.worker.launcher.Launcher> launchers, boolean instant)
            throws Exception {
        Path dir = Files.createTempDirectory("kindling-bench");
        // -Dkindling.bench.spoolDir: the worker's spool on another file system (a tmpfs, to see what the disk costs)
        String spoolParent = System.getProperty("kindling.bench.spoolDir");
        Path spool = spoolParent == null ? dir.resolve("spool") : Path.of(spoolParent).resolve(dir.getFileName().toString());
        Path python = Path.of(System.getenv().getOrDefault("KINDLING_PYSPARK_PYTHON", "/usr/bin/python3"));
        Path sparkHome = instant ? InstantSpark.create(dir) : StandInSpark.create(dir, python).home();
        Path app = Files.writeString(dir.resolve("app.py"), "# run by the stand-in spark-submit\n");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka")));
        Map<String, String> env = baseEnv(dir, broker.bootstrapServers());
        env.putAll(Map.of(
                "KINDLING_EMBEDDED_KAFKA", "false",
                "KINDLING_METRICS_PORT", "0",
                "KINDLING_SPARK_HOME", sparkHome.toString(),
                "KINDLING_WORKER_LOCAL_PATHS", dir.toString(),
                "KINDLING_SPOOL_DIR", spool.toString()));
        env.putAll(settings);
        env.putAll(overrides(System.getProperties()));
        try {
            EmbeddedStack stack = EmbeddedStack.start(env, null, launchers);
            BenchStack started = new BenchStack(broker, stack, dir, spool, app, adminAuthorization(dir));
            Runtime.getRuntime().addShutdownHook(started.stopHook);
            return started;
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    /**
     * The settings every benchmark's components share: {@code home}, the broker at {@code bootstrapServers},
     * the api on a free port, the local blob store, and no rate limit worth the name (the benchmark's one
     * principal does everything; the limiter still runs). A mutable copy, for the caller's own settings.
     */
    static Map<String, String> baseEnv(Path home, String bootstrapServers) {
        return new HashMap<>(Map.of(
                "KINDLING_HOME", home.toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers,
                "KINDLING_HTTP_PORT", "0",
                "KINDLING_SUBMIT_RATE_PER_SECOND", "100000",
                "KINDLING_BLOB_STORE", "local"));
    }

    /** The {@code Authorization} header of the admin whose token the stack made in {@code home} ({@link AdminToken}). */
    static String adminAuthorization(Path home) throws java.io.IOException {
        return "Bearer " + Files.readString(home.resolve(AdminToken.TOKEN_FILE)).trim();
    }

    /** The stack's settings given as {@code -Dkindling.bench.env.KINDLING_…=value}: they override every other. */
    static Map<String, String> overrides(java.util.Properties properties) {
        Map<String, String> env = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(ENV_PREFIX)) {
                env.put(name.substring(ENV_PREFIX.length()), properties.getProperty(name));
            }
        }
        return env;
    }

    /** The worker's spool directory (one directory per attempt not yet shipped): under KINDLING_HOME unless moved. */
    Path spool() {
        return spool;
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    String url(String path) {
        return "http://127.0.0.1:" + stack.apiPort() + path;
    }

    String authorization() {
        return authorization;
    }

    /** The body of a job running the stand-in driver with these application arguments. */
    String jobBody(String... args) {
        return jobBody(app, args);
    }

    /** The body of a job running the Python file {@code app} with these application arguments. */
    static String jobBody(Path app, String... args) {
        StringBuilder list = new StringBuilder();
        for (String arg : args) {
            list.append(list.isEmpty() ? "" : ", ").append('"').append(arg).append('"');
        }
        return "{\"application\": {\"type\": \"python\", \"file\": \"" + app + "\", \"args\": [" + list + "]}}";
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", authorization);
    }

    /** POST /v1/jobs; the job's id. */
    String submit(String body) throws Exception {
        HttpResponse<String> r = http.send(request("/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
        }
        return io.kindling.schemas.Json.mapper().readTree(r.body()).get("id").asText();
    }

    /** The job's state as the api shows it. */
    String state(String id) throws Exception {
        HttpResponse<String> r = http.send(request("/v1/jobs/" + id).GET().build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? io.kindling.schemas.Json.mapper().readTree(r.body()).get("state").asText() : "";
    }

    /** Cancels the jobs and waits (up to a minute) until they have ended, so no stand-in driver outlives the stack. */
    void cancelAll(java.util.List<String> ids) throws Exception {
        for (String id : ids) {
            http.send(request("/v1/jobs/" + id + "/cancel").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        for (String id : ids) {
            while (!java.util.Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(state(id))
                    && System.nanoTime() < deadline) {
                Thread.sleep(200); // polling the api
            }
        }
    }

    /** Stops the stack and the broker, then removes the stack's directories ({@link BenchDirs}); once. */
    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(stopHook);
        } catch (IllegalStateException e) {
            // the JVM is stopping (this may be the hook itself): nothing to remove
        }
        try {
            stack.close();
        } finally {
            broker.close();
        }
        BenchDirs.delete(spool);
        BenchDirs.delete(dir);
    }

    private void closeOnStop() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("the benchmark's stack did not stop cleanly: " + e);
        }
    }
}
