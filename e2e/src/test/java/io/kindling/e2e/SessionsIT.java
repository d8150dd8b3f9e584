package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.api.gateway.GatewayCertificates;
import io.kindling.schemas.AttemptId;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import io.kindling.testsupport.kafka.SharedKafka;
import io.kindling.testsupport.spark.ConnectClient;
import io.kindling.testsupport.spark.StandaloneSparkCluster;
import io.kindling.worker.WorkerComponent;
import io.kindling.worker.launcher.SparkConnectServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive sessions end to end (issue 14): the whole stack (api with its session gateway,
 * dispatcher, log-shipper; the real broker and Azurite) and a real standalone master and worker from
 * the pinned Spark; the {@code sessions} pool is served by a Kindling worker of its own, so the test
 * can restart it. A session is created with {@code POST /v1/sessions}; a stock PySpark Spark Connect
 * client that knows only the {@code connectUrl} (the gateway) and the CA gets 499500; the server's
 * Spark Connect port is on loopback only (beyond loopback only the client-mode driver's ports of the
 * pool's driverPortRange listen, for the executors); another tenant's token is refused; the server's stderr is readable through
 * the api; a worker restart while READY keeps the session usable; DELETE ends the server; an idle
 * session ends by itself.
 */
@ExtendWith(SharedAzurite.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(900)
class SessionsIT {
    private static final Duration READY_DEADLINE = Duration.ofMinutes(4);
    private static final TestTokens TOKENS = new TestTokens()
            .add("admin", List.of("default"), List.of("admin"))
            .add("alice", List.of("team-a"), List.of("submit", "read", "cancel"))
            .add("bob", List.of("team-b"), List.of("submit", "read", "cancel"));

    @TempDir
    static Path home;
    private static StandaloneSparkCluster spark;
    private static E2eStack e2e;
    private static Map<String, String> workerEnv;
    private static WorkerComponent worker;
    private static KindlingClient alice;
    private static GatewayCertificates tls;
    private static int clientPort;
    private static String sessionId;
    private static String connectUrl;
    private static long serverPid;
    /** The sessions pool's driverPortRange. */
    private static int[] driverPorts;

    @BeforeAll
    static void startClusterStackAndWorker(AzuriteFixture azurite) throws Exception {
        Map<String, String> sparkEnv = ProjectTools.sparkEnv();
        spark = ProjectTools.standaloneCluster(home.resolve("spark"));
        int first = StandaloneSparkCluster.freePort();
        driverPorts = new int[] {first, first + 20};
        Path pools = Files.writeString(home.resolve("pools.yaml"), """
                pools:
                  jobs:
                    master: 'local[1]'
                  sessions:
                    master: '%s'
                    deployMode: client
                    driverHost: 127.0.0.1
                    driverPortRange: %d-%d
                    conf: {spark.cores.max: '1', spark.executor.memory: 512m, spark.driver.memory: 512m}
                """.formatted(spark.masterUrl(), first, first + 20));
        tls = GatewayCertificates.create(home.resolve("tls"), List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
        Path relayKey = Files.writeString(home.resolve("tls/relay.key"), "sessions-it-relay-key-0123456789abcdef0123",
                StandardCharsets.UTF_8);
        Path tokens = TOKENS.write(home.resolve("tokens.yaml"));
        Files.writeString(home.resolve("admin.token"), TOKENS.get("admin").value());
        clientPort = StandaloneSparkCluster.freePort();
        int agentPort = StandaloneSparkCluster.freePort();
        Map<String, String> shared = new HashMap<>(Map.of(
                "KINDLING_CONFIG", pools.toString(),
                "KINDLING_POOLS", "jobs,sessions",
                "KINDLING_AUTH_TOKENS_FILE", tokens.toString(),
                "KINDLING_RELAY_KEY_FILE", relayKey.toString()));
        Map<String, String> stack = new HashMap<>(shared);
        stack.putAll(Map.of(
                // the stack's own worker serves the jobs pool only: the sessions pool's worker is the test's
                "KINDLING_WORKER_POOL", "jobs",
                "KINDLING_GATEWAY_TLS_DIR", home.resolve("tls").toString(),
                "KINDLING_GATEWAY_HOST", "127.0.0.1",
                "KINDLING_GATEWAY_CLIENT_PORT", Integer.toString(clientPort),
                "KINDLING_GATEWAY_AGENT_PORT", Integer.toString(agentPort)));
        e2e = E2eStack.start("sessions", home, azurite, stack);
        alice = new KindlingClient(e2e.apiPort(), TOKENS.get("alice").value());

        workerEnv = new HashMap<>(sparkEnv);
        workerEnv.putAll(shared);
        workerEnv.putAll(Map.of(
                "KINDLING_HOME", home.toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", SharedKafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", "e2e-sessions.",
                "KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_CONNECTION_STRING", azurite.connectionString(),
                "KINDLING_AZURE_CONTAINER", "e2e-sessions",
                "KINDLING_WORKER_POOL", "sessions",
                "KINDLING_WORKER_ID", "sessions-worker",
                "KINDLING_GATEWAY_AGENT_ADDRESS", "127.0.0.1:" + agentPort,
                "KINDLING_GATEWAY_CA_FILE", tls.caFile().toString()));
        workerEnv.put("SPARK_LOCAL_IP", "127.0.0.1");
        worker = WorkerComponent.start(workerEnv);
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (e2e != null) {
            e2e.close();
        }
        if (spark != null) {
            spark.close();
        }
    }

    @Test
    @Order(1)
    void aStockClientGetsItsResultThroughTheGatewayAndNothingElseListensBeyondLoopback() throws Exception {
        KindlingClient.Response created = alice.post("/v1/sessions", "{\"pool\": \"sessions\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        sessionId = created.json().get("id").asText();
        connectUrl = created.json().get("connectUrl").asText();
        assertThat(connectUrl).as("the URL names the gateway").startsWith("sc://127.0.0.1:" + clientPort + "/");

        JsonNode ready = awaitState(sessionId, "READY");
        assertThat(ready.get("connectUrl").asText()).isEqualTo(connectUrl);

        assertThat(query("alice")).contains("result 499500");

        ProcessHandle server = server(sessionId);
        serverPid = server.pid();
        int serverPort = SparkConnectServer.port(home.resolve("spool").resolve(AttemptId.of(sessionId, 1))).orElseThrow();
        ListeningSockets sockets = ListeningSockets.of(server);
        assertThat(serverPort).isNotEqualTo(clientPort);
        assertThat(sockets.onLoopbackOnly(serverPort)).as("the Spark Connect port is on loopback only: %s", sockets)
                .isTrue();
        // beyond loopback: only the client-mode driver's RPC and block-manager ports from the pool's
        // driverPortRange, which the cluster's executors call back to (a Spark endpoint, not Spark Connect)
        assertThat(sockets.beyondLoopback()).as("listeners beyond loopback: %s", sockets)
                .allSatisfy(l -> assertThat(l.port()).isBetween(driverPorts[0], driverPorts[1]));
    }

    @Test
    @Order(2)
    void anotherTenantsTokenIsRefused() throws Exception {
        String out = query("bob");
        assertThat(out).doesNotContain("result").contains("PERMISSION_DENIED");
    }

    @Test
    @Order(3)
    void theServersStderrIsReadableThroughTheApi() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> alice.log(sessionId, "stderr").contains("SparkConnectServer"));
    }

    @Test
    @Order(4)
    void aWorkerRestartWhileReadyKeepsTheSessionUsable() throws Exception {
        worker.close();
        worker = WorkerComponent.start(workerEnv);

        // the restarted worker adopts the server and starts a new agent in the background
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> query("alice"), out -> out.contains("result 499500"));
        assertThat(server(sessionId).pid()).as("the same server, adopted").isEqualTo(serverPid);
        assertThat(session(sessionId).get("state").asText()).isEqualTo("READY");
    }

    @Test
    @Order(5)
    void deleteEndsTheServerProcess() throws Exception {
        ProcessHandle server = server(sessionId);

        KindlingClient.Response deleted = alice.delete("/v1/sessions/" + sessionId);

        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
        JsonNode ended = awaitState(sessionId, "ENDED");
        assertThat(ended.get("reason").asText()).isEqualTo("DELETED");
        await().atMost(Duration.ofSeconds(60)).until(() -> !server.isAlive());
        assertThat(query("alice")).doesNotContain("result");
    }

    @Test
    @Order(6)
    void anIdleSessionEndsByItself() throws Exception {
        KindlingClient.Response created = alice.post("/v1/sessions", "{\"pool\": \"sessions\", \"idleTimeoutSeconds\": 10}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asText();
        awaitState(id, "READY");
        ProcessHandle server = server(id);

        JsonNode ended = awaitState(id, "ENDED");

        assertThat(ended.get("reason").asText()).isEqualTo("IDLE");
        await().atMost(Duration.ofSeconds(60)).until(() -> !server.isAlive());
    }

    private static JsonNode awaitState(String id, String state) {
        return await().atMost(READY_DEADLINE).pollInterval(Duration.ofSeconds(1))
                .until(() -> session(id), view -> state.equals(view.get("state").asText())
                        || (!"FAILED".equals(state) && "FAILED".equals(view.get("state").asText()) && fail(view)));
    }

    private static boolean fail(JsonNode view) {
        throw new AssertionError("the session failed: " + view);
    }

    private static JsonNode session(String id) throws Exception {
        KindlingClient.Response r = alice.get("/v1/sessions/" + id);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static String query(String who) throws Exception {
        return new ConnectClient(ProjectTools.projectDir(), tls.caFile(), home)
                .query(connectUrl + ";token=" + TOKENS.get(who).value());
    }

    /** The session's server: the JVM running the Spark Connect server class for the session's job. */
    private static ProcessHandle server(String id) {
        return SessionServers.find("spark.kindling.jobId=" + id);
    }
}
