package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.api.auth.StaticTokens;
import io.kindling.api.gateway.GatewayCertificates;
import io.kindling.api.gateway.GatewayConfig;
import io.kindling.api.gateway.SessionGateway;
import io.kindling.api.gateway.SessionRoute;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.relay.RelayKey;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.spark.ConnectClient;
import io.kindling.worker.launcher.Adoption;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.LaunchedApp;
import io.kindling.worker.launcher.Launcher;
import io.kindling.worker.launcher.SparkConnectServer;
import io.kindling.worker.launcher.SparkSubmitConfig;
import io.kindling.worker.launcher.SparkSubmitLauncher;
import io.kindling.worker.session.SessionLauncher;
import io.kindling.worker.session.SessionRelay;
import io.kindling.worker.session.SessionRelayConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's side of a session with real parts, below Kafka and the dispatcher: the worker's
 * launcher ({@link SparkSubmitLauncher} under its native shim, wrapped in a {@link SessionLauncher}
 * configured from the worker's keys) runs Spark's own Spark Connect server for a
 * {@code spark-connect} run assignment, and its relay agent dials out to a real
 * {@link SessionGateway} (TLS, generated CA, the shared relay key); a stock PySpark client knows only
 * the gateway. Then a worker restart (a new launcher adopting the server) and a cancel.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionServerIT {
    private static final String SESSION = "s-worker-it";

    @TempDir
    static Path dir;
    static GatewayCertificates certificates;
    static SessionGateway gateway;
    static TestTokens tokens;
    static Map<String, String> workerEnv;
    static SparkSubmitConfig spark;
    static RunAssignment run;
    static Launcher launcher;
    static LaunchedApp app;
    static Optional<String> appId;
    static final AtomicReference<Thread> watcher = new AtomicReference<>();
    static final CompletableFuture<AppExit> exit = new CompletableFuture<>();

    @BeforeAll
    static void start() throws Exception {
        certificates = GatewayCertificates.create(dir.resolve("tls"), List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
        Path keyFile = dir.resolve("tls/relay.key");
        Files.writeString(keyFile, "0123456789abcdef0123456789abcdef-relay-key", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        RelayKey key = RelayKey.read(keyFile);
        tokens = new TestTokens()
                .add("alice", List.of("team-a"), List.of("submit", "read"))
                .add("bob", List.of("team-b"), List.of("submit", "read"));
        StaticTokens known = StaticTokens.load(tokens.write(dir.resolve("tokens.yaml")));
        // the gateway derives the agent's secret from the same key: no secret travels with the session
        SessionRoute route = new SessionRoute(SESSION, "team-a", key.agentSecretSha256(SESSION));
        gateway = SessionGateway.start(new GatewayConfig("127.0.0.1", 0, 0, certificates.chainFile(), certificates.keyFile()),
                id -> Optional.of(route).filter(r -> r.sessionId().equals(id)), known::authenticate);
        workerEnv = new HashMap<>(ProjectTools.sparkEnv());
        workerEnv.put("KINDLING_GATEWAY_AGENT_ADDRESS", "127.0.0.1:" + gateway.agentPort());
        workerEnv.put("KINDLING_GATEWAY_CA_FILE", certificates.caFile().toString());
        workerEnv.put("KINDLING_RELAY_KEY_FILE", keyFile.toString());
        spark = new SparkSubmitConfig(Path.of(workerEnv.get("KINDLING_SPARK_HOME")),
                Path.of(workerEnv.get("KINDLING_SPARK_JAVA_HOME")), null, "local[2]", "client",
                Map.of("spark.driver.memory", "512m", "spark.ui.enabled", "false"), LaunchPolicy.defaults(), null, null,
                null, null);
        JobSpec spec = new JobSpec(null, "default", new Application(ApplicationType.SPARK_CONNECT, null, null, List.of()),
                Map.of(), null, Map.of(), null, null, null, null, null, Map.of(), null, null, null).withTenant("team-a");
        run = RunAssignment.of(SESSION, 1, spec, Instant.now());
        launcher = workerLauncher();
    }

    /** The launcher a worker process builds from its keys (WorkerComponent): a new one is a restarted worker. */
    private static Launcher workerLauncher() {
        EnvConfig env = new EnvConfig(workerEnv);
        SessionRelay relay = SessionRelayConfig.from(env).map(SessionRelay::open).orElseThrow();
        Map<String, String> processEnv = new HashMap<>(System.getenv());
        processEnv.put("SPARK_LOCAL_IP", "127.0.0.1");
        return new SessionLauncher(new SparkSubmitLauncher(spark, spool(), processEnv, Duration.ofSeconds(5), Duration.ZERO),
                spool(), relay, Duration.ofMinutes(4));
    }

    private static SpoolLayout spool() {
        return new SpoolLayout(dir.resolve("spool"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (launcher != null && run != null) {
            launcher.cancel(run.attemptId());
            launcher.close();
        }
        Thread w = watcher.get();
        if (w != null) {
            w.interrupt();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Order(1)
    void theServerIsReportedRunningOnlyOnceItAnswersAndItsAgentIsConnected() throws Exception {
        Launch launch = launcher.launch(run);
        assertThat(launch).as("launched: %s", launch).isInstanceOf(Launch.Started.class);
        app = ((Launch.Started) launch).app();
        appId = app.awaitAppId();
        assertThat(appId).as("RUNNING (READY) with an app id; the server's stderr: %s", stderr()).isPresent();
        watch(app);
        int port = SparkConnectServer.port(spool().attemptDir(run.attemptId())).orElseThrow();
        assertThat(ListeningSockets.of(server()).includesPort(port)).as("the server listens on its recorded port").isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.agentConnected(SESSION));
    }

    @Test
    @Order(2)
    void aStockClientGetsItsResultThroughTheGatewayAndTheServerListensOnLoopbackOnly() throws Exception {
        int port = SparkConnectServer.port(spool().attemptDir(run.attemptId())).orElseThrow();
        long relayed = gateway.relayedConnections();

        String out = client().query(url(tokens.get("alice").value()));

        assertThat(out).contains("result 499500");
        assertThat(gateway.relayedConnections()).as("through a connection the agent dialled out").isGreaterThan(relayed);
        assertThat(gateway.clientPort()).isNotEqualTo(port);
        ListeningSockets sockets = ListeningSockets.of(server());
        assertThat(sockets.listeners()).as("the server's listening sockets").isNotEmpty();
        assertThat(sockets.allLoopback()).as("every listening socket of the server: %s", sockets).isTrue();
    }

    @Test
    @Order(3)
    void anotherTenantsTokenIsRefused() throws Exception {
        long relayed = gateway.relayedConnections();
        String out = client().query(url(tokens.get("bob").value()));
        assertThat(out).doesNotContain("result").contains("PERMISSION_DENIED");
        assertThat(gateway.relayedConnections()).isEqualTo(relayed);
    }

    @Test
    @Order(4)
    void aRestartedWorkerAdoptsTheServerAndStartsANewAgent() throws Exception {
        long pid = server().pid();
        watcher.get().interrupt(); // the worker stops: its attempt threads are interrupted, the agent closes
        launcher.close();
        await().atMost(Duration.ofSeconds(60)).until(() -> !gateway.agentConnected(SESSION));
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the server outlives the worker").contains(true);

        launcher = workerLauncher();
        Adoption adoption = launcher.adopt(run);
        assertThat(adoption).isInstanceOf(Adoption.Running.class);
        app = ((Adoption.Running) adoption).app();
        assertThat(app.awaitAppId()).isEqualTo(appId);
        watch(app);
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.agentConnected(SESSION));

        assertThat(client().query(url(tokens.get("alice").value()))).contains("result 499500");
        assertThat(server().pid()).as("the same server, not a new one").isEqualTo(pid);
    }

    @Test
    @Order(5)
    void cancellingEndsTheServerProcessAndItsAgent() throws Exception {
        ProcessHandle server = server();

        assertThat(launcher.cancel(run.attemptId())).isTrue();

        AppExit ended = exit.get();
        assertThat(ended.cancelled()).isTrue();
        await().atMost(Duration.ofSeconds(60)).until(() -> !server.isAlive());
        await().atMost(Duration.ofSeconds(60)).until(() -> !gateway.agentConnected(SESSION));
        assertThat(stderr()).as("the server's stderr is in the attempt's spool").contains("SparkConnectServer");
    }

    /** Waits for the app's end on a thread of its own, as the worker's attempt thread does. */
    private static void watch(LaunchedApp watched) {
        watcher.set(Thread.ofVirtual().start(() -> {
            try {
                exit.complete(watched.awaitExit());
            } catch (InterruptedException e) {
                // the worker stopped watching
            }
        }));
    }

    /** The server's JVM: the process running the Spark Connect server class for this attempt. */
    private static ProcessHandle server() {
        return SessionServers.find(run.attemptId());
    }

    private static String stderr() throws java.io.IOException {
        Path file = spool().stream(run.attemptId(), "stderr");
        return Files.exists(file) ? Files.readString(file) : "(none)";
    }

    private static ConnectClient client() {
        return new ConnectClient(ProjectTools.projectDir(), certificates.caFile(), dir);
    }

    private static String url(String token) {
        return "sc://127.0.0.1:" + gateway.clientPort() + "/;use_ssl=true;token=" + token + ";x-kindling-session=" + SESSION;
    }
}
