package io.kindling.api.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The secure default of {@code ./kindling up}: with neither a tokens file nor OIDC, an admin token
 * of tenant {@code default} in {@code $KINDLING_HOME/admin.token} (mode 0600, the token alone on
 * one line, kept across restarts) and a tokens file next to it that holds only its SHA-256.
 */
public final class AdminToken {
    public static final String TOKEN_FILE = "admin.token";
    public static final String TOKENS_FILE = "tokens.yaml";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private AdminToken() {
    }

    /**
     * Creates {@code home/admin.token} unless it exists, and (re)writes {@code home/tokens.yaml}
     * with its hash.
     *
     * @return the tokens file, for {@code KINDLING_AUTH_TOKENS_FILE}
     */
    public static Path ensure(Path home) throws IOException {
        Files.createDirectories(home);
        Path tokenFile = home.resolve(TOKEN_FILE);
        if (!Files.exists(tokenFile)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = "kdl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            try {
                Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (FileAlreadyExistsException e) {
                // another process made it first: use that one
            } catch (UnsupportedOperationException e) {
                Files.writeString(tokenFile, token + "\n", StandardCharsets.UTF_8);
            }
        }
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        if (token.isEmpty() || token.contains("\n")) {
            throw new IOException(tokenFile + " must hold one token on one line; delete it to get a new one");
        }
        Path tokens = home.resolve(TOKENS_FILE);
        List<String> lines = List.of(
                "# written by Kindling at start-up: the SHA-256 of " + tokenFile.getFileName() + " (an admin of tenant default)",
                "tokens:",
                "  - name: admin",
                "    sha256: " + StaticTokens.sha256Hex(token),
                "    tenants: [default]",
                "    roles: [admin]");
        Path temporary = home.resolve(TOKENS_FILE + ".tmp");
        Files.write(temporary, lines, StandardCharsets.UTF_8);
        Files.move(temporary, tokens, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return tokens;
    }
}
