package io.kindling.common.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayAgentMainTest {
    private static final List<String> RUN = List.of("run", "--gateway-host", "gw.example.com", "--gateway-port", "15003",
            "--ca", "/kindling/relay/ca.pem", "--session", "job-1", "--secret-file", "/kindling/relay/agent-secret",
            "--server-port", "15002", "--ready-file", "/kindling/relay-state/ready");

    @Test
    void runReadsEveryOption() {
        RelayAgentMain.Options options = RelayAgentMain.Options.parse(RUN);
        assertThat(options.check()).isFalse();
        assertThat(options.gatewayHost()).isEqualTo("gw.example.com");
        assertThat(options.gatewayPort()).isEqualTo(15003);
        assertThat(options.caFile()).isEqualTo(Path.of("/kindling/relay/ca.pem"));
        assertThat(options.sessionId()).isEqualTo("job-1");
        assertThat(options.secretFile()).isEqualTo(Path.of("/kindling/relay/agent-secret"));
        assertThat(options.serverPort()).isEqualTo(15002);
        assertThat(options.readyFile()).isEqualTo(Path.of("/kindling/relay-state/ready"));
    }

    @Test
    void checkNeedsOnlyTheReadyFile() {
        RelayAgentMain.Options options = RelayAgentMain.Options.parse(List.of("check", "--ready-file", "/r"));
        assertThat(options.check()).isTrue();
        assertThat(options.readyFile()).isEqualTo(Path.of("/r"));
        assertThatThrownBy(() -> RelayAgentMain.Options.parse(List.of("check", "--ready-file", "/r", "--session", "x")))
                .hasMessageContaining("unknown option --session");
    }

    @Test
    void theReadyFileAppearsOnceTheServerAnswersAndTheAgentEndsWhenTheServerIsGone(@TempDir Path dir) throws Exception {
        int serverPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            serverPort = probe.getLocalPort();
        }
        int gatewayPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gatewayPort = probe.getLocalPort(); // closed: the agent dials it in vain, as a gateway that is down
        }
        Path ready = dir.resolve("state/ready");
        RelayAgentMain.Options options = RelayAgentMain.Options.parse(List.of("run", "--gateway-host", "127.0.0.1",
                "--gateway-port", Integer.toString(gatewayPort), "--ca", "/unused", "--session", "s-1",
                "--secret-file", "/unused", "--server-port", Integer.toString(serverPort), "--ready-file", ready.toString()));
        RelayAgent.Config config = new RelayAgent.Config("127.0.0.1", gatewayPort, SSLContext.getDefault(), "s-1",
                "c2VjcmV0", serverPort, Duration.ofMillis(200));
        RelayAgentMain.Timing timing = new RelayAgentMain.Timing(Duration.ofMillis(50), Duration.ZERO,
                Duration.ofMillis(50));
        CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
            try {
                RelayAgentMain.serve(options, config, timing, new CountDownLatch(1));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(ready).doesNotExist(); // nothing listens on the server's port yet
        try (ServerSocket server = new ServerSocket(serverPort, 50, InetAddress.getLoopbackAddress())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(ready));
            assertThat(served).isNotDone();
        }
        await().atMost(Duration.ofSeconds(20)).until(served::isDone); // the server is gone: the sidecar exits
        assertThat(served).isCompleted();
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertThatThrownBy(() -> RelayAgentMain.Options.parse(List.of())).hasMessageContaining("usage");
        assertThatThrownBy(() -> RelayAgentMain.Options.parse(RUN.subList(0, RUN.size() - 2)))
                .hasMessageContaining("missing --ready-file");
        List<String> badPort = new java.util.ArrayList<>(RUN);
        badPort.set(badPort.indexOf("15002"), "99999");
        assertThatThrownBy(() -> RelayAgentMain.Options.parse(badPort))
                .hasMessageContaining("--server-port must be a port");
        assertThatThrownBy(() -> RelayAgentMain.Options.parse(List.of("run", "--secret", "s3cr3t")))
                .hasMessageContaining("unknown option --secret");
        assertThatThrownBy(() -> RelayAgentMain.Options.parse(List.of("check", "--ready-file")))
                .hasMessageContaining("needs a value");
    }
}
