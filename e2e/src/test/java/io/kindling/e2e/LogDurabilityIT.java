package io.kindling.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.blobstore.BlobStores;
import io.kindling.embedded.EmbeddedStack;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.kafka.SharedKafka;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptance test for logs: a PySpark job prints 20,000 numbered lines to stdout and
 * 20,000 to stderr while the log-shipper (a JVM of its own) is killed with SIGKILL twice and
 * Azurite is stopped for 30 seconds; through the api both streams hold every line exactly once,
 * in order. A follower started before the job begins gets the first line within a second of the
 * driver printing it and ends when the job's log is complete; the event log is downloadable.
 */
class LogDurabilityIT {
    private static final Logger LOG = LoggerFactory.getLogger(LogDurabilityIT.class);
    private static final int LINES = 20_000;
    private static final int SECONDS = 25;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(6);
    private static final String CONTAINER = "e2e-durability";
    private static final Pattern NUMBERED = Pattern.compile("^(stdout|stderr) (\\d{6}) (\\d+)$", Pattern.MULTILINE);

    @TempDir
    static Path home;
    private static AzuriteFixture azurite;
    private static EmbeddedStack stack;
    private static KindlingClient client;
    private static Map<String, String> shipperEnv;
    private static Map<String, String> stackEnv;
    private static final List<ShipperProcess> shippers = new ArrayList<>();

    @BeforeAll
    static void startStack() throws Exception {
        azurite = AzuriteFixture.startPersistent(home.resolve("azurite"), 0);
        Map<String, String> env = new HashMap<>(ProjectTools.sparkEnv());
        env.put("KINDLING_HOME", home.toString());
        env.put("KINDLING_EMBEDDED_KAFKA", "false");
        env.put("KINDLING_EMBEDDED_LOG_SHIPPER", "false");
        env.put("KINDLING_KAFKA_BOOTSTRAP_SERVERS", SharedKafka.bootstrapServers());
        env.put("KINDLING_TOPIC_PREFIX", "e2e-durability.");
        env.put("KINDLING_HTTP_PORT", "0");
        env.put("KINDLING_METRICS_PORT", "0");
        env.put("KINDLING_BLOB_STORE", "azure");
        env.put("KINDLING_AZURE_CONNECTION_STRING", azurite.connectionString());
        env.put("KINDLING_AZURE_CONTAINER", CONTAINER);
        shipperEnv = Map.of(
                "KINDLING_HOME", home.toString(),
                "KINDLING_SPOOL_DIR", home.resolve("spool").toString(),
                "KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_CONNECTION_STRING", azurite.connectionString(),
                "KINDLING_AZURE_CONTAINER", CONTAINER,
                "KINDLING_SHIPPER_POLL_MILLIS", "100");
        startShipper();
        stackEnv = env;
        stack = EmbeddedStack.start(env);
        client = KindlingClient.forHome(stack.apiPort(), home);
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/health/ready").status() == 200);
    }

    @AfterAll
    static void stopStack() throws Exception {
        for (ShipperProcess shipper : shippers) {
            shipper.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }

    private static ShipperProcess startShipper() throws Exception {
        ShipperProcess shipper = ShipperProcess.start(shipperEnv, home.resolve("shipper.log"));
        shippers.add(shipper);
        LOG.info("log-shipper {} started (pid {})", shippers.size(), shipper.pid());
        return shipper;
    }

    private static void killShipper() throws Exception {
        ShipperProcess current = shippers.get(shippers.size() - 1);
        current.kill();
        LOG.info("log-shipper pid {} killed with SIGKILL", current.pid());
    }

    private static boolean running(String id) throws Exception {
        return client.job(id).state() == JobState.RUNNING;
    }

    /** Waits, without sleeping the test thread in a loop of its own. */
    private static void pass(Duration time) {
        await().pollDelay(time).atMost(time.plusSeconds(5)).until(() -> true);
    }

    @Test
    void everyLineOnceInOrderThroughShipperKillsAndAStorageOutage() throws Exception {
        Path script = ProjectTools.projectDir().resolve("examples/numbered_lines.py");
        KindlingClient.Response submitted = client.post("/v1/jobs", """
                {"name": "numbered-lines", "application": {"type": "python", "file": "%s", "args": ["%d", "%d"]},
                 "conf": {"spark.ui.enabled": "false"}}
                """.formatted(script.toUri(), LINES, SECONDS));
        assertThat(submitted.status()).as("POST /v1/jobs: %s", submitted.body()).isEqualTo(202);
        String id = submitted.json().get("id").asText();

        try (LogFollower follower = new LogFollower(stack.apiPort(), client.authorization(), id, "stdout")) {
            // the follower is waiting before the driver has printed anything
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20))
                    .failFast(() -> follower.failure() != null)
                    .until(() -> follower.firstLine() != null);
            Matcher first = NUMBERED.matcher(follower.firstLine());
            assertThat(first.matches()).as("first line '%s'", follower.firstLine()).isTrue();
            long latency = follower.firstLineReceivedMillis() - Long.parseLong(first.group(3));
            LOG.info("MEASURED first-line latency: {} ms", latency);
            assertThat(latency).as("first line received after it was printed").isLessThan(1000);

            int kills = 0;
            await().atMost(Duration.ofMinutes(1)).until(() -> follower.lines() >= 1000);
            assertThat(running(id)).as("the job runs while the shipper is killed").isTrue();
            killShipper();
            kills++;
            startShipper();

            await().atMost(Duration.ofMinutes(1)).until(() -> follower.lines() >= 3000);
            assertThat(running(id)).as("the job runs while Azurite is stopped").isTrue();
            int port = azurite.port();
            long down = System.nanoTime();
            azurite.close();
            LOG.info("Azurite stopped");
            pass(OUTAGE.dividedBy(3));
            assertThat(running(id)).as("the job runs while the shipper is killed again").isTrue();
            killShipper();
            kills++;
            startShipper();
            pass(OUTAGE.minus(OUTAGE.dividedBy(3)));
            azurite = AzuriteFixture.startPersistent(home.resolve("azurite"), port);
            long downMillis = (System.nanoTime() - down) / 1_000_000;
            LOG.info("MEASURED Azurite downtime: {} ms; shipper kills: {}", downMillis, kills);
            assertThat(downMillis).isGreaterThanOrEqualTo(OUTAGE.toMillis());

            JobView view = await().atMost(JOB_DEADLINE).pollInterval(Duration.ofSeconds(1))
                    .until(() -> client.job(id), v -> v.state().terminal());
            assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);

            // the follower ends by itself once the log is complete
            await().atMost(Duration.ofMinutes(3)).failFast(() -> follower.failure() != null).until(follower::ended);
            assertThat(follower.status()).isEqualTo(200);
            String stdout = client.log(id, "stdout");
            String stderr = client.log(id, "stderr");
            assertThat(follower.text()).as("what the follower received is the stored log").isEqualTo(stdout);
            assertEveryLineOnceInOrder("stdout", stdout);
            assertEveryLineOnceInOrder("stderr", stderr);
            LOG.info("MEASURED lines checked: {} stdout + {} stderr, {} kills, Azurite down {} ms", LINES, LINES, kills,
                    downMillis);
        }
        assertEventLogDownloadable(id);

        // every process restarted: the api rebuilds its views from Kafka and reads the same blobs
        String stdout = client.log(id, "stdout");
        stack.close();
        stack = null;
        shippers.get(shippers.size() - 1).kill();
        startShipper();
        stack = EmbeddedStack.start(stackEnv);
        client = KindlingClient.forHome(stack.apiPort(), home);
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/health/ready").status() == 200);
        assertThat(client.job(id).state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(client.log(id, "stdout")).isEqualTo(stdout);
        assertEveryLineOnceInOrder("stderr", client.log(id, "stderr"));
    }

    private static void assertEveryLineOnceInOrder(String stream, String text) {
        Matcher m = NUMBERED.matcher(text);
        int expected = 1;
        while (m.find()) {
            assertThat(m.group(1)).as("a %s line in %s", m.group(1), stream).isEqualTo(stream);
            assertThat(Integer.parseInt(m.group(2))).as("line number in %s", stream).isEqualTo(expected);
            expected++;
        }
        assertThat(expected - 1).as("numbered lines in %s", stream).isEqualTo(LINES);
    }

    private static void assertEventLogDownloadable(String id) throws Exception {
        try (BlobStore blobs = BlobStores.open(BlobStoreConfig.fromEnv(Map.of(
                "KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_CONNECTION_STRING", azurite.connectionString(),
                "KINDLING_AZURE_CONTAINER", CONTAINER)))) {
            assertThat(blobs.list("eventlogs/")).as("event log blobs").isNotEmpty();
        }
        HttpResponse<byte[]> response = await().atMost(Duration.ofMinutes(1)).until(() -> HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.apiPort() + "/v1/jobs/" + id
                        + "/eventlog")).header("Authorization", client.authorization()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()), r -> r.statusCode() == 200);
        byte[] body = response.body();
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/zip")) {
            List<String> entries = new ArrayList<>();
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(body))) {
                for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                    entries.add(entry.getName());
                }
            }
            LOG.info("MEASURED event log: zip of {}", entries);
            assertThat(entries).anyMatch(name -> name.startsWith("eventlog_v2_"));
        } else {
            LOG.info("MEASURED event log: one file of {} bytes", body.length);
            assertThat(new String(body, 0, Math.min(body.length, 200), UTF_8)).contains("SparkListenerLogStart");
        }
        Files.write(home.resolve("eventlog-download"), body);
    }
}
