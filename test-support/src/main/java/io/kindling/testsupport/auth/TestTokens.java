package io.kindling.testsupport.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A static tokens file ({@code KINDLING_AUTH_TOKENS_FILE}) for tests: random tokens, only their
 * SHA-256 written to the file, the tokens kept here for the test's requests.
 */
public final class TestTokens {
    /** One token of the file. */
    public record Token(String name, String value, List<String> tenants, List<String> roles) {
        /** {@code Authorization} header value. */
        public String bearer() {
            return "Bearer " + value;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, Token> tokens = new LinkedHashMap<>();

    /** Adds a token named {@code name} (its value is random). */
    public TestTokens add(String name, List<String> tenants, List<String> roles) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        tokens.put(name, new Token(name, "kt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
                List.copyOf(tenants), List.copyOf(roles)));
        return this;
    }

    /** A token file with one admin of tenant {@code default}, named {@code admin}. */
    public static TestTokens admin() {
        return new TestTokens().add("admin", List.of("default"), List.of("admin"));
    }

    public Token get(String name) {
        Token token = tokens.get(name);
        if (token == null) {
            throw new IllegalArgumentException("no token " + name);
        }
        return token;
    }

    /** Writes the YAML file (hashes only) and returns its path. */
    public Path write(Path file) {
        List<String> lines = new ArrayList<>();
        lines.add("tokens:");
        for (Token t : tokens.values()) {
            lines.add("  - name: " + t.name());
            lines.add("    sha256: " + sha256Hex(t.value()));
            lines.add("    tenants: [" + String.join(", ", t.tenants()) + "]");
            lines.add("    roles: [" + String.join(", ", t.roles()) + "]");
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    public static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
