package io.kindling.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.blobstore.BlobStores;
import io.kindling.broker.BrokerConfig;
import io.kindling.broker.BrokerSecurity;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.common.kafka.KafkaAcls;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.KafkaSecurity;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.kafka.ScramUsers;
import io.kindling.testsupport.kafka.TopicRecords;
import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9's leak test, on real parts: a Kafka broker with SASL/SCRAM and the ACL authorizer, the
 * Azure blob store on an Azurite whose account key is seeded by this test, the api, dispatcher,
 * worker and log-shipper each in a JVM of its own (Kafka password read from a file), and real
 * spark-submit from the pinned pyspark running a Python job with a secretRef whose value is
 * seeded too. Each seeded value is then searched for in every record of every Kindling topic,
 * every api response the test got, every component's output, every file the components wrote,
 * every blob (logs, Spark event log, indexes), and the argv and environment of every process of
 * the stack and its descendants: no hit, except the secretRef's value in the environment of the
 * attempt's own processes (the driver), where it must be (proving the search finds things), and
 * the Azure connection string in the environment of the components configured with it.
 */
@Timeout(420)
class SecretLeakIT {
    private static final Logger LOG = LoggerFactory.getLogger(SecretLeakIT.class);
    private static final Duration DEADLINE = Duration.ofMinutes(4);
    private static final ScramMechanism MECHANISM = ScramMechanism.SCRAM_SHA_512;
    private static final String PREFIX = "leak.";

    @TempDir
    Path dir;
    private final SecureRandom random = new SecureRandom();
    private final List<Child> components = new ArrayList<>();
    private EmbeddedKafkaBroker broker;
    private AzuriteFixture azurite;
    /** Every api response body the test got, by what it asked for. */
    private final Map<String, String> responses = new LinkedHashMap<>();
    /** Everything searched, by kind (argv, environ, api, blob, record, output, file). */
    private final Map<String, StringBuilder> searched = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A component JVM: its name, process and output file. */
    private record Child(String name, Process process, Path log, boolean holdsAzureConfig) {
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (Child c : components) {
            c.process().destroy();
            if (!c.process().waitFor(30, TimeUnit.SECONDS)) {
                c.process().destroyForcibly();
            }
        }
        if (azurite != null) {
            azurite.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void seededSecretsAppearNowhereButInTheDriversEnvironment() throws Exception {
        String adminPassword = "kafkaadmin" + HexFormat.of().formatHex(bytes(16));
        Map<String, String> kafkaPasswords = new LinkedHashMap<>();
        for (String user : List.of("api", "dispatcher", "worker")) {
            kafkaPasswords.put(user, "kafka" + user + HexFormat.of().formatHex(bytes(16)));
        }
        byte[] key = bytes(64);
        String azureKey = Base64.getEncoder().encodeToString(key);
        String secretValue = "secretref" + HexFormat.of().formatHex(bytes(16));
        Map<String, String> seeded = new LinkedHashMap<>(Map.of("the secretRef value", secretValue,
                "the Kafka admin password", adminPassword,
                "the Azure account key", azureKey, "the Azure account key (hex)", HexFormat.of().formatHex(key)));
        kafkaPasswords.forEach((user, password) -> seeded.put("the Kafka password of " + user, password));

        // Kafka with SCRAM and the ACL authorizer; each component logs in as its own user holding
        // exactly the ACLs docs/security.md lists (KafkaAcls), its password read from a file
        broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka")),
                new BrokerSecurity("admin", adminPassword));
        Topics topics = new Topics(PREFIX);
        KafkaClients adminClients = clients("admin", adminPassword);
        try (Admin admin = adminClients.admin("leak-it-setup")) {
            ScramUsers.create(admin, MECHANISM, kafkaPasswords);
            List<AclBinding> acls = new ArrayList<>();
            acls.addAll(KafkaAcls.api(topics, "User:api"));
            acls.addAll(KafkaAcls.dispatcher(topics, "User:dispatcher"));
            acls.addAll(KafkaAcls.worker(topics, "User:worker", "default"));
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
        // the operator creates the topics (the api and the worker may not)
        new TopicCreator(adminClients).ensure(List.of(topics.commands(), topics.events(), topics.runs("default"),
                topics.reports(), topics.control(), topics.deadLetter()), Duration.ofSeconds(60));
        azurite = AzuriteFixture.startWithAccountKey(azureKey);
        Path secrets = dir.resolve("secrets");
        Files.createDirectories(secrets.resolve("default/db"));
        Files.writeString(secrets.resolve("default/db/password"), secretValue);
        Path jobDir = Files.createDirectories(dir.resolve("jobs"));
        Path script = Files.writeString(jobDir.resolve("harmless.py"), """
                import os, sys, time
                from pyspark.sql import SparkSession
                secret = os.environ["DB_PASSWORD"]
                spark = SparkSession.builder.appName("harmless").getOrCreate()
                rows = spark.range(1000).selectExpr("id % 7 as k").groupBy("k").count().count()
                print("harmless: %d groups, a secret of %d characters" % (rows, len(secret)), flush=True)
                while not os.path.exists(sys.argv[1]):
                    time.sleep(0.2)
                spark.stop()
                """);
        Path release = dir.resolve("release");

        TestTokens tokens = TestTokens.admin();
        int apiPort = freePort();
        Path spool = dir.resolve("spool");
        Map<String, Map<String, String>> kafka = new LinkedHashMap<>();
        for (Map.Entry<String, String> user : kafkaPasswords.entrySet()) {
            Path passwordFile = Files.writeString(dir.resolve("kafka-" + user.getKey() + ".password"), user.getValue() + "\n");
            Map<String, String> env = new LinkedHashMap<>(Map.of(
                    "KINDLING_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "KINDLING_TOPIC_PREFIX", PREFIX,
                    "KINDLING_TOPIC_PARTITIONS", "1"));
            env.putAll(ScramUsers.loginEnv(MECHANISM, user.getKey(), passwordFile));
            kafka.put(user.getKey(), env);
        }
        Map<String, String> blob = Map.of(
                "KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_CONNECTION_STRING", azurite.connectionString(),
                "KINDLING_AZURE_CONTAINER", "leak");
        start("dispatcher", "io.kindling.dispatcher.DispatcherMain", kafka.get("dispatcher"), Map.of(), Map.of(
                "KINDLING_HOME", dir.resolve("dispatcher").toString()));
        Map<String, String> worker = new LinkedHashMap<>(ProjectTools.sparkEnv());
        worker.putAll(Map.of(
                "KINDLING_HOME", dir.resolve("worker").toString(),
                "KINDLING_SPOOL_DIR", spool.toString(),
                "KINDLING_WORKER_ID", "leak-worker",
                "KINDLING_WORKER_LOCAL_PATHS", jobDir.toString(),
                "KINDLING_SECRETS_DIR", secrets.toString()));
        start("worker", "io.kindling.worker.WorkerMain", kafka.get("worker"), blob, worker);
        start("log-shipper", "io.kindling.shipper.ShipperMain", Map.of(), blob, Map.of(
                "KINDLING_HOME", dir.resolve("shipper").toString(),
                "KINDLING_SPOOL_DIR", spool.toString()));
        start("api", "io.kindling.api.ApiMain", kafka.get("api"), blob, Map.of(
                "KINDLING_HOME", dir.resolve("api").toString(),
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_HTTP_PORT", Integer.toString(apiPort),
                "KINDLING_AUTH_TOKENS_FILE", tokens.write(dir.resolve("tokens.yaml")).toString()));

        KindlingClient client = new KindlingClient(apiPort, tokens.get("admin").value());
        await("api ready").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(ConnectException.class)
                .until(() -> client.get("/health/ready").status() == 200);

        KindlingClient.Response submitted = client.post("/v1/jobs", """
                {"name": "harmless", "application": {"type": "python", "file": "%s", "args": ["%s"]},
                 "conf": {"spark.ui.enabled": "false"},
                 "env": {"HARMLESS": "yes"},
                 "secretRefs": {"DB_PASSWORD": {"secret": "db", "key": "password"}}}
                """.formatted(script, release));
        record(responses, "POST /v1/jobs", submitted.body());
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = submitted.json().get("id").asText();

        // while the driver runs: every process of the stack and its descendants
        List<ProcessHandle> stack = components.stream().map(c -> c.process().toHandle()).toList();
        await("the driver's Python process holds the secretRef value").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> descendants(stack, spool).stream().anyMatch(p -> environ(p).contains(secretValue)
                        && cmdline(p).contains("python")));
        await("the driver printed its line").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> client.log(id, "stdout").contains("harmless:"));
        List<String> hits = new ArrayList<>();
        Set<Long> componentPids = Set.copyOf(stack.stream().map(ProcessHandle::pid).toList());
        int processes = 0;
        int driverProcesses = 0;
        for (ProcessHandle p : everyProcess(stack, spool)) {
            processes++;
            boolean component = componentPids.contains(p.pid());
            String what = "process " + p.pid() + " (" + cmdline(p).lines().findFirst().orElse("?") + ")";
            search("argv", seeded, "argv of " + what, cmdline(p), hits);
            String env = environ(p);
            boolean driver = !component && env.contains(secretValue);
            driverProcesses += driver ? 1 : 0;
            LOG.info("searching {}{}: {}", component ? "component " : "", driver ? "driver " : "", what);
            Map<String, String> forbidden = new LinkedHashMap<>(seeded);
            if (driver) {
                forbidden.remove("the secretRef value");   // the driver's own environment: where it belongs
            }
            if (component && components.stream().anyMatch(c -> c.process().pid() == p.pid() && c.holdsAzureConfig())) {
                // configured through KINDLING_AZURE_CONNECTION_STRING (docs/configuration.md): its own setting
                forbidden.remove("the Azure account key");
                forbidden.remove("the Azure account key (hex)");
                assertThat(env).as("the search finds the key where it is configured").contains(azureKey);
            }
            search("environ", forbidden, "environment of " + what, env, hits);
        }
        assertThat(driverProcesses).as("processes of the attempt holding the secretRef value").isPositive();

        Files.writeString(release, "go");
        JobView view = await("job terminal").atMost(DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> client.job(id), v -> v.state().terminal());
        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);

        // every api response
        record(responses, "GET job", client.get("/v1/jobs/" + id).body());
        record(responses, "GET list", client.get("/v1/jobs").body());
        record(responses, "GET list all", client.get("/v1/jobs?limit=100").body());
        record(responses, "GET events (SSE)", client.get("/v1/jobs/" + id + "/events").body());
        record(responses, "GET queues", client.get("/v1/queues").body());
        await("stdout shipped").atMost(Duration.ofSeconds(60)).until(() -> client.log(id, "stdout").contains("harmless: 7 groups"));
        record(responses, "GET stdout", client.log(id, "stdout"));
        record(responses, "GET stderr", client.log(id, "stderr"));
        HttpResponse<byte[]> eventLog = await("event log stored").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + apiPort + "/v1/jobs/" + id + "/eventlog"))
                        .header("Authorization", client.authorization()).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray()), r -> r.statusCode() == 200);
        String eventLogText = unpacked(eventLog.body());
        assertThat(eventLogText).as("the Spark event log, unpacked").contains("SparkListenerApplicationStart")
                .contains("harmless");
        record(responses, "GET eventlog (as sent)", new String(eventLog.body(), UTF_8));
        record(responses, "GET eventlog (unpacked)", eventLogText);
        for (Map.Entry<String, String> r : responses.entrySet()) {
            search("api", seeded, "api response " + r.getKey(), r.getValue(), hits);
        }

        // every blob: logs, event logs, indexes
        int blobs = 0;
        int eventLogBlobs = 0;
        List<String> blobNames = new ArrayList<>();
        BlobStore store = BlobStores.open(BlobStoreConfig.fromEnv(blob));
        try {
            for (String path : store.list("")) {
                blobs++;
                blobNames.add(path);
                String text = readBlob(store, path);
                eventLogBlobs += text.contains("SparkListenerApplicationStart") ? 1 : 0;
                search("blob", seeded, "blob " + path, text, hits);
            }
        } finally {
            store.close();
        }
        assertThat(eventLogBlobs).as("Spark event logs among the blobs %s", blobNames).isPositive();

        // every record of every Kindling topic
        int records = 0;
        List<String> topicNames;
        try (Admin admin = adminClients.admin("leak-it")) {
            topicNames = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(t -> t.startsWith(PREFIX))
                    .sorted().toList();
        }
        assertThat(topicNames).as("Kindling topics").contains(topics.events(), topics.commands(), topics.reports());
        for (String topic : topicNames) {
            for (ConsumerRecord<String, byte[]> r : readAll(adminClients, topic)) {
                records++;
                StringBuilder text = new StringBuilder(String.valueOf(r.key())).append('\n');
                text.append(r.value() == null ? "" : new String(r.value(), UTF_8)).append('\n');
                for (Header h : r.headers()) {
                    text.append(h.key()).append('=').append(h.value() == null ? "" : new String(h.value(), UTF_8)).append('\n');
                }
                search("record", seeded, "record " + topic + "/" + r.partition() + "@" + r.offset(), text.toString(), hits);
            }
        }
        assertThat(records).as("records on the Kindling topics").isPositive();

        // every component's output, and every file the components wrote (homes, spool)
        for (Child c : components) {
            assertThat(c.log()).as("%s's output", c.name()).isNotEmptyFile();
            search("output", seeded, c.name() + "'s output", Files.readString(c.log(), UTF_8), hits);
        }
        int files = 0;
        for (String home : List.of("api", "dispatcher", "worker", "shipper", "spool")) {
            Path root = dir.resolve(home);
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    files++;
                    search("file", seeded, "file " + dir.relativize(f), new String(Files.readAllBytes(f), UTF_8), hits);
                }
            }
        }
        // controls: each kind of place searched holds what it should, so a search that reads
        // nothing (a wrong topic, an empty download, an unreadable /proc) cannot pass unnoticed
        String attemptId = view.attempts().get(0).attemptId();
        assertThat(searched.get("argv")).as("argv searched").contains(script.toString()).contains(attemptId);
        assertThat(searched.get("environ")).as("environments searched").contains("KINDLING_KAFKA_SASL_PASSWORD_FILE")
                .contains("HARMLESS=yes");
        assertThat(searched.get("api")).as("api responses searched").contains(id).contains("harmless: 7 groups")
                .contains("SparkListenerApplicationStart").contains("SUCCEEDED");
        assertThat(searched.get("blob")).as("blobs searched").contains("harmless: 7 groups")
                .contains("SparkListenerApplicationStart");
        assertThat(searched.get("record")).as("records searched").contains(id).contains(attemptId).contains("SUCCEEDED");
        assertThat(searched.get("output")).as("component output searched").contains(id);
        LOG.info("leak search: {} processes ({} of the driver), {} api responses, {} blobs, {} records on {} topics,"
                        + " {} component logs, {} files: {} hits", processes, driverProcesses, responses.size(), blobs, records,
                topicNames.size(), components.size(), files, hits.size());
        assertThat(hits).as("seeded secrets found").isEmpty();
    }

    private KafkaClients clients(String user, String password) {
        return new KafkaClients(new KafkaConfig(broker.bootstrapServers(), new Topics(PREFIX), 1, (short) 1)
                .withSecurity(KafkaSecurity.scram(ScramUsers.PROTOCOL, MECHANISM.mechanismName(), user, password)));
    }

    private static void record(Map<String, String> responses, String what, String body) {
        responses.merge(what, body, (a, b) -> a + "\n" + b);
    }

    /** Records hits of {@code values} in {@code text}, and keeps the text searched under {@code kind} for the controls. */
    private void search(String kind, Map<String, String> values, String where, String text, List<String> hits) {
        searched.computeIfAbsent(kind, k -> new StringBuilder()).append(text).append('\n');
        values.forEach((name, value) -> {
            if (text.contains(value)) {
                hits.add(name + " in " + where);
            }
        });
    }

    private void start(String name, String mainClass, Map<String, String> common, Map<String, String> blob,
                       Map<String, String> own) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                mainClass)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("KINDLING_") || k.startsWith("AZURE"));
        builder.environment().putAll(common);
        builder.environment().putAll(blob);
        builder.environment().putAll(own);
        builder.environment().put("KINDLING_METRICS_PORT", "0");
        components.add(new Child(name, builder.start(), log, !blob.isEmpty()));
    }

    /** The components and all their live descendants. */
    private static List<ProcessHandle> everyProcess(List<ProcessHandle> stack, Path spool) {
        List<ProcessHandle> all = new ArrayList<>(stack);
        all.addAll(descendants(stack, spool));
        return all;
    }

    /**
     * The stack's descendants, and the attempts' supervisors with theirs: {@code kindling-shim}
     * detaches from the worker ({@code setsid}, its first process exits), so it is found by its
     * argv, which names its attempt's directory in the stack's spool.
     */
    private static List<ProcessHandle> descendants(List<ProcessHandle> stack, Path spool) {
        Set<Long> own = Set.copyOf(stack.stream().map(ProcessHandle::pid).toList());
        List<ProcessHandle> shims = ProcessHandle.allProcesses()
                .filter(p -> !own.contains(p.pid()) && cmdline(p).contains(spool.toString())).toList();
        java.util.Map<Long, ProcessHandle> found = new java.util.LinkedHashMap<>();
        shims.forEach(p -> found.put(p.pid(), p));
        java.util.stream.Stream.concat(stack.stream(), shims.stream()).flatMap(ProcessHandle::descendants)
                .forEach(p -> found.putIfAbsent(p.pid(), p));
        return found.values().stream().filter(p -> !own.contains(p.pid()) && p.isAlive()).toList();
    }

    /** {@code /proc/<pid>/cmdline}, arguments one a line ("" when the process is gone). */
    private static String cmdline(ProcessHandle p) {
        return proc(p, "cmdline");
    }

    /** {@code /proc/<pid>/environ}, variables one a line ("" when the process is gone). */
    private static String environ(ProcessHandle p) {
        return proc(p, "environ");
    }

    private static String proc(ProcessHandle p, String file) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), file)), UTF_8).replace('\0', '\n');
        } catch (IOException e) {
            return "";
        }
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(KafkaClients kafka, String topic) {
        try (KafkaConsumer<String, byte[]> consumer = kafka.consumer(null, "leak-read", Map.of())) {
            return TopicRecords.readAll(consumer, topic);
        }
    }

    /**
     * The text of a Spark event log as stored and downloaded: a zip of the rolling event log
     * directory whose event files are compressed (zstd by default, lz4 or snappy by conf); other
     * bytes as they are.
     */
    private static String unpacked(byte[] bytes) throws IOException {
        if (bytes.length < 2 || bytes[0] != 'P' || bytes[1] != 'K') {
            return new String(bytes, UTF_8);
        }
        StringBuilder text = new StringBuilder();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                byte[] content = zip.readAllBytes();
                text.append(entry.getName()).append('\n');
                if (entry.getName().endsWith(".zstd")) {
                    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(content))) {
                        content = in.readAllBytes();
                    }
                } else {
                    assertThat(entry.getName()).as("an event log entry this test can read")
                            .doesNotEndWith(".lz4").doesNotEndWith(".snappy").doesNotEndWith(".lzf");
                }
                text.append(new String(content, UTF_8)).append('\n');
            }
        }
        return text.toString();
    }

    /** The whole blob, read as the api reads logs: page by page; an event log unpacked. */
    private static String readBlob(BlobStore store, String path) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        long offset = 0;
        while (true) {
            Optional<BlobRead> read = store.read(path, offset, 4 << 20);
            if (read.isEmpty() || read.get().bytes().length == 0) {
                byte[] bytes = all.toByteArray();
                if (path.endsWith(".zstd")) {
                    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(bytes))) {
                        bytes = in.readAllBytes();
                    }
                }
                return new String(all.toByteArray(), UTF_8) + "\n" + unpacked(bytes);
            }
            all.writeBytes(read.get().bytes());
            offset += read.get().bytes().length;
        }
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
