package io.kindling.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.relay.RelayKey;
import io.kindling.common.relay.TrustedCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayTlsSetupTest {
    @TempDir
    Path dir;

    @Test
    void createsTheCaTheCertificateAndAnOwnerOnlyRelayKeyOnceAndKeepsThem() throws Exception {
        Path tls = dir.resolve("tls");
        assertThat(GatewayTlsSetup.ensure(tls, List.of("localhost", "127.0.0.1", "gw.example"))).contains("created");

        assertThat(tls.resolve(GatewayCertificates.CA_FILE)).isRegularFile();
        assertThat(tls.resolve(GatewayCertificates.CHAIN_FILE)).isRegularFile();
        Path key = tls.resolve(GatewayTlsSetup.RELAY_KEY);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(GatewayCertificates.KEY_FILE))))
                .isEqualTo("rw-------");
        assertThat(RelayKey.read(key).agentSecret("s-1")).isNotBlank();
        assertThat(TrustedCa.context(tls.resolve(GatewayCertificates.CA_FILE))).isNotNull();

        String ca = Files.readString(tls.resolve(GatewayCertificates.CA_FILE));
        String relayKey = Files.readString(key);
        assertThat(GatewayTlsSetup.ensure(tls, List.of("localhost", "127.0.0.1", "gw.example"))).startsWith("kept");
        assertThat(Files.readString(tls.resolve(GatewayCertificates.CA_FILE))).isEqualTo(ca);

        assertThat(GatewayTlsSetup.ensure(tls, List.of("localhost", "127.0.0.1", "other.example"))).contains("re-created");
        assertThat(Files.readString(tls.resolve(GatewayCertificates.CA_FILE))).isNotEqualTo(ca);
        assertThat(Files.readString(key)).as("the relay key is kept").isEqualTo(relayKey);
    }
}
