package io.kindling.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthConfigTest {
    @Test
    void disablingAuthenticationIsRefusedUnlessTheApiListensOnLoopback() {
        Map<String, String> off = Map.of("KINDLING_AUTH_DISABLED", "true");
        assertThat(AuthConfig.from(new EnvConfig(off), "127.0.0.1").disabled()).isTrue();
        assertThat(AuthConfig.from(new EnvConfig(off), "::1").disabled()).isTrue();
        assertThat(AuthConfig.from(new EnvConfig(off), "localhost").disabled()).isTrue();
        assertThatThrownBy(() -> AuthConfig.from(new EnvConfig(off), "0.0.0.0")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("KINDLING_AUTH_DISABLED").hasMessageContaining("loopback").hasMessageContaining("0.0.0.0");
        assertThatThrownBy(() -> AuthConfig.from(new EnvConfig(off), "10.1.2.3")).isInstanceOf(ConfigException.class);
    }

    @Test
    void oidcNeedsIssuerAudienceAndJwksTogether() {
        assertThatThrownBy(() -> AuthConfig.from(new EnvConfig(Map.of("KINDLING_OIDC_ISSUER", "https://i")), "0.0.0.0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_OIDC_AUDIENCE");
        assertThatThrownBy(() -> AuthConfig.from(new EnvConfig(Map.of("KINDLING_OIDC_JWKS_URL", "https://i/k")), "0.0.0.0"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_OIDC_ISSUER");
        AuthConfig oidc = AuthConfig.from(new EnvConfig(Map.of("KINDLING_OIDC_ISSUER", "https://i",
                "KINDLING_OIDC_AUDIENCE", "api", "KINDLING_OIDC_JWKS_URL", "https://i/keys",
                "KINDLING_OIDC_TENANTS_CLAIM", "groups")), "0.0.0.0");
        assertThat(oidc.oidc().tenantsClaim()).isEqualTo("groups");
        assertThat(oidc.oidc().nameClaim()).isEqualTo("sub");
        assertThat(oidc.unconfigured()).isFalse();
        assertThat(AuthConfig.from(new EnvConfig(Map.of()), "0.0.0.0").unconfigured()).isTrue();
    }

    @Test
    void theAdminTokenIsPrivateOneLineAndKeptAcrossRestarts(@TempDir Path home) throws Exception {
        Path tokens = AdminToken.ensure(home);
        Path tokenFile = home.resolve(AdminToken.TOKEN_FILE);
        String token = Files.readString(tokenFile);
        assertThat(token).endsWith("\n").doesNotContain(" ");
        assertThat(token.trim().lines()).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        assertThat(Files.readString(tokens)).doesNotContain(token.trim()).contains(StaticTokens.sha256Hex(token.trim()));
        Principal admin = StaticTokens.load(tokens).authenticate(token.trim()).orElseThrow();
        assertThat(admin.admin()).isTrue();
        assertThat(admin.tenants()).containsExactly("default");

        AdminToken.ensure(home);
        assertThat(Files.readString(tokenFile)).isEqualTo(token);
    }
}
