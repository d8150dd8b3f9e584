package io.kindling.common.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key the gateway and the workers share to prove a relay agent's right to serve a session:
 * a session's agent secret is HMAC-SHA256(key, sessionId), URL-safe base64 (a {@link RelayProtocol}
 * token). The worker derives it for the sessions it launches; the gateway derives the same value to
 * check the agent's {@code AGENT} line, so no per-session secret travels on any topic or view.
 * The one owner of that derivation.
 */
public final class RelayKey {
    /** Shortest key accepted: 32 bytes. */
    public static final int MIN_BYTES = 32;

    private final SecretKeySpec key;

    private RelayKey(byte[] bytes) {
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException("a relay key needs at least " + MIN_BYTES + " bytes, got " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** A key of the given bytes (at least {@value #MIN_BYTES}). */
    public static RelayKey of(byte[] bytes) {
        return new RelayKey(bytes.clone());
    }

    /** The key in {@code file}: its content, surrounding white space removed, as UTF-8 bytes. */
    public static RelayKey read(Path file) throws IOException {
        return new RelayKey(Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The agent secret of {@code sessionId}. */
    public String agentSecret(String sessionId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal(sessionId.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** SHA-256 (hex) of {@link #agentSecret}: what the gateway's session route holds. */
    public String agentSecretSha256(String sessionId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(agentSecret(sessionId).getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "RelayKey[redacted]";
    }
}
