package io.kindling.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.api.auth.StaticTokens;
import io.kindling.common.relay.RelayAgent;
import io.kindling.common.relay.TrustedCa;
import io.kindling.testsupport.auth.TestTokens;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phase 1 of interactive sessions, with real parts: Spark's own Spark Connect server (the pinned
 * pyspark's spark-submit, local master, listening on 127.0.0.1 only), a {@link RelayAgent} that dials
 * OUT to the {@link SessionGateway}, the gateway serving TLS with a generated Kindling CA, and a stock
 * PySpark Spark Connect client ({@code .tools/connect-venv}, pinned in
 * {@code tools/spark-connect/requirements.txt}) that knows only the gateway's address and the CA file.
 */
class SessionGatewayIT {
    private static final String SESSION = "s-phase1";
    private static final String AGENT_SECRET = "agent-secret-of-s-phase1";

    @TempDir
    static Path dir;
    static Process sparkConnect;
    static SessionGateway gateway;
    static RelayAgent agent;
    static GatewayCertificates certificates;
    static TestTokens tokens;
    static int serverPort;

    @BeforeAll
    static void start() throws IOException {
        Path project = projectDir();
        serverPort = freePort();
        sparkConnect = startSparkConnect(project, serverPort);
        certificates = GatewayCertificates.create(dir.resolve("tls"), List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
        tokens = new TestTokens()
                .add("alice", List.of("team-a"), List.of("submit", "read"))
                .add("bob", List.of("team-b"), List.of("submit", "read"));
        StaticTokens known = StaticTokens.load(tokens.write(dir.resolve("tokens.yaml")));
        Map<String, SessionRoute> routes = Map.of(SESSION,
                new SessionRoute(SESSION, "team-a", StaticTokens.sha256Hex(AGENT_SECRET)));
        gateway = SessionGateway.start(new GatewayConfig("127.0.0.1", 0, 0, certificates.chainFile(), certificates.keyFile()),
                id -> Optional.ofNullable(routes.get(id)), known::authenticate);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> listening(serverPort) || !sparkConnect.isAlive());
        assertThat(sparkConnect.isAlive()).as("the Spark Connect server runs; its log: %s", dir.resolve("spark-connect.log")).isTrue();
        agent = RelayAgent.start(new RelayAgent.Config("127.0.0.1", gateway.agentPort(),
                TrustedCa.context(certificates.caFile()), SESSION, AGENT_SECRET, serverPort, Duration.ofSeconds(1)));
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.agentConnected(SESSION));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (sparkConnect != null) {
            sparkConnect.descendants().forEach(ProcessHandle::destroy);
            sparkConnect.destroy();
            if (!sparkConnect.waitFor(30, TimeUnit.SECONDS)) {
                sparkConnect.descendants().forEach(ProcessHandle::destroyForcibly);
                sparkConnect.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aStockPySparkClientRunsAQueryThroughTheGatewayOnly() throws Exception {
        assertThat(gateway.clientPort()).isNotEqualTo(serverPort);
        long relayedBefore = gateway.relayedConnections();
        String out = query(connectUrl(tokens.get("alice").value()));
        assertThat(out).contains("result 499500");
        assertThat(gateway.relayedConnections()).as("the query went through a connection the agent dialled out")
                .isGreaterThan(relayedBefore);
    }

    @Test
    void anotherTenantsTokenIsRefused() throws Exception {
        long relayedBefore = gateway.relayedConnections();
        String out = query(connectUrl(tokens.get("bob").value()));
        assertThat(out).doesNotContain("result").contains("PERMISSION_DENIED").contains("does not act in the tenant");
        assertThat(gateway.relayedConnections()).as("nothing of a refused client reached the server").isEqualTo(relayedBefore);
    }

    @Test
    void anUnknownTokenIsRefused() throws Exception {
        String out = query(connectUrl("kt_not-a-token"));
        assertThat(out).doesNotContain("result").contains("UNAUTHENTICATED");
    }

    @Test
    void anUnknownSessionIsRefused() throws Exception {
        String out = query("sc://127.0.0.1:" + gateway.clientPort() + "/;use_ssl=true;token=" + tokens.get("alice").value()
                + ";x-kindling-session=s-nope");
        assertThat(out).doesNotContain("result").contains("no live session s-nope");
    }

    private static String connectUrl(String token) {
        return "sc://127.0.0.1:" + gateway.clientPort() + "/;use_ssl=true;token=" + token + ";x-kindling-session=" + SESSION;
    }

    /** Runs tools/spark-connect/query.py with the stock client; returns what it printed. */
    private static String query(String url) throws IOException, InterruptedException {
        return new StockConnectClient(certificates.caFile(), dir).query(url);
    }

    private static Process startSparkConnect(Path project, int port) throws IOException {
        Path sparkHome = Optional.ofNullable(System.getenv("KINDLING_SPARK_HOME")).map(Path::of)
                .orElse(project.resolve(".tools/spark-venv/lib/python3.11/site-packages/pyspark"));
        Path javaHome = Optional.ofNullable(System.getenv("KINDLING_SPARK_JAVA_HOME")).map(Path::of)
                .orElse(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"));
        assertThat(sparkHome.resolve("bin/spark-submit")).as("Spark is provisioned (./kindling provision)").isExecutable();
        List<String> argv = new ArrayList<>(List.of(sparkHome.resolve("bin/spark-submit").toString(),
                "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
                "--master", "local[2]", "--name", "kindling-session-" + SESSION,
                "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
                "--conf", "spark.connect.grpc.binding.port=" + port,
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.driver.memory=512m"));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("spark-connect.log").toFile());
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        builder.environment().remove("SPARK_CONF_DIR");
        return builder.start();
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Path projectDir() {
        return StockConnectClient.projectDir();
    }
}
