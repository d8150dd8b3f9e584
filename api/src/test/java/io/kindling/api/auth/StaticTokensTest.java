package io.kindling.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.testsupport.auth.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticTokensTest {
    @TempDir
    Path dir;

    @Test
    void aListedTokenNamesItsPrincipalAndNothingElseDoes() {
        TestTokens tokens = new TestTokens().add("ci", List.of("acme", "globex"), List.of("submit", "READ"))
                .add("ops", List.of(), List.of("admin"));
        StaticTokens loaded = StaticTokens.load(tokens.write(dir.resolve("tokens.yaml")));
        assertThat(loaded.size()).isEqualTo(2);
        Principal ci = loaded.authenticate(tokens.get("ci").value()).orElseThrow();
        assertThat(ci.name()).isEqualTo("ci");
        assertThat(ci.tenants()).containsExactlyInAnyOrder("acme", "globex");
        assertThat(ci.roles()).containsExactlyInAnyOrder(Role.SUBMIT, Role.READ);
        assertThat(loaded.authenticate(tokens.get("ops").value()).orElseThrow().admin()).isTrue();
        assertThat(loaded.authenticate("nope")).isEmpty();
        assertThat(loaded.authenticate(tokens.get("ci").value() + "x")).isEmpty();
        // the file holds hashes only
        assertThat(read(dir.resolve("tokens.yaml"))).doesNotContain(tokens.get("ci").value())
                .contains(StaticTokens.sha256Hex(tokens.get("ci").value()));
    }

    @Test
    void theFileIsReadAgainWhenItChangesAndABrokenEditKeepsTheTokensInForce() throws Exception {
        Path file = dir.resolve("tokens.yaml");
        TestTokens first = new TestTokens().add("a", List.of("acme"), List.of("read"));
        StaticTokens loaded = StaticTokens.load(first.write(file));
        assertThat(loaded.reloadIfChanged()).isFalse();

        TestTokens second = new TestTokens().add("b", List.of("acme"), List.of("read"));
        second.write(file);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(loaded.reloadIfChanged()).isTrue();
        assertThat(loaded.authenticate(first.get("a").value())).isEmpty();
        assertThat(loaded.authenticate(second.get("b").value())).isPresent();

        Files.writeString(file, "tokens: [{name: x, sha256: short}]\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        assertThat(loaded.reloadIfChanged()).isFalse();
        assertThat(loaded.authenticate(second.get("b").value())).isPresent();
    }

    @Test
    void invalidEntriesAreRefusedNamingTheProblem() throws Exception {
        String hash = "a".repeat(64);
        assertThatThrownBy(() -> load("tokens: [{name: x, sha256: " + hash + ", tenants: [acme], roles: [root]}]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown role 'root'");
        assertThatThrownBy(() -> load("tokens: [{name: x, sha256: abc, tenants: [acme], roles: [read]}]"))
                .hasMessageContaining("sha256");
        assertThatThrownBy(() -> load("tokens: [{name: x, sha256: " + hash + ", tenants: [Acme Corp], roles: [read]}]"))
                .hasMessageContaining("tenant 'Acme Corp'");
        assertThatThrownBy(() -> load("tokens: [{name: x, sha256: " + hash + ", roles: [read]}]"))
                .hasMessageContaining("at least one tenant");
        assertThatThrownBy(() -> load("tokens: [{name: x, sha256: " + hash + ", tenants: [a], roles: [read]},"
                + " {name: y, sha256: " + hash.toUpperCase() + ", tenants: [a], roles: [read]}]"))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> load("tokens: [{name: x, sha256: " + hash + ", tenants: [a], roles: [read], extra: 1}]"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> load("nothing: here")).isInstanceOf(IllegalArgumentException.class);
        assertThat(load("tokens: [{name: x, sha256: " + hash + ", tenants: [a], roles: [read]}]").size()).isEqualTo(1);
    }

    @Test
    void aPrincipalActsOnlyInItsTenantsUnlessAdmin() {
        Principal p = new Principal("p", Set.of("acme"), Set.of(Role.READ));
        assertThat(p.actsIn("acme")).isTrue();
        assertThat(p.actsIn("globex")).isFalse();
        assertThat(p.has(Role.READ)).isTrue();
        assertThat(p.has(Role.SUBMIT)).isFalse();
        Principal admin = new Principal("a", Set.of(), Set.of(Role.ADMIN));
        assertThat(admin.actsIn("globex")).isTrue();
        assertThat(admin.has(Role.CANCEL)).isTrue();
    }

    private StaticTokens load(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "tokens", ".yaml");
        Files.writeString(file, yaml);
        return StaticTokens.load(file);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
