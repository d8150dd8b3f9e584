package io.kindling.common.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

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
