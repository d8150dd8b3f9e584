package io.kindling.api.auth;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kindling.schemas.Names;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static API tokens from {@code KINDLING_AUTH_TOKENS_FILE}: a YAML list
 * {@code tokens: [{name, sha256, tenants: [...], roles: [...]}]} where {@code sha256} is the hex
 * SHA-256 of the token. Only hashes are held; a presented token is hashed and compared with every
 * entry with {@link MessageDigest#isEqual} (constant time). {@link #reloadIfChanged()} re-reads the
 * file when its modification time or size changed; a file that no longer parses is logged and the
 * tokens read before stay in force. Thread-safe.
 */
public final class StaticTokens {
    private static final Logger LOG = LoggerFactory.getLogger(StaticTokens.class);
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-fA-F]{64}$");

    private record Entry(byte[] hash, Principal principal) {
    }

    private record Snapshot(List<Entry> entries, Object version) {
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record FileEntry(String name, String sha256, List<String> tenants, List<String> roles) {
    }

    record TokensFile(List<FileEntry> tokens) {
    }

    private final Path file;
    private volatile Snapshot snapshot;

    private StaticTokens(Path file, Snapshot snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException if it cannot be read or an entry is invalid (the message names it)
     */
    public static StaticTokens load(Path file) {
        return new StaticTokens(file, read(file));
    }

    /** The file the tokens come from. */
    public Path file() {
        return file;
    }

    /** How many tokens are in force. */
    public int size() {
        return snapshot.entries().size();
    }

    /** The principal whose token is {@code token}, if any. Every entry is compared, in constant time each. */
    public Optional<Principal> authenticate(String token) {
        byte[] hash = sha256(token.getBytes(StandardCharsets.UTF_8));
        Principal found = null;
        for (Entry entry : snapshot.entries()) {
            if (MessageDigest.isEqual(hash, entry.hash()) && found == null) {
                found = entry.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Re-reads the file if it changed since it was last read (blocking: call it off the event loop).
     *
     * @return true if new tokens are in force
     */
    public boolean reloadIfChanged() {
        Object version;
        try {
            version = version(file);
        } catch (IOException e) {
            LOG.error("cannot read the tokens file {} ({}); the tokens read before stay in force", file, e.toString());
            return false;
        }
        if (version.equals(snapshot.version())) {
            return false;
        }
        try {
            Snapshot next = read(file);
            snapshot = next;
            LOG.info("tokens file {} changed: {} tokens in force", file, next.entries().size());
            return true;
        } catch (IllegalArgumentException e) {
            LOG.error("the tokens file {} changed but is invalid ({}); the tokens read before stay in force", file,
                    e.getMessage());
            return false;
        }
    }

    private static Object version(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey() == null ? "" : attributes.fileKey());
    }

    private static Snapshot read(Path file) {
        try {
            Object version = version(file);
            TokensFile parsed = YAML.readValue(Files.readAllBytes(file), TokensFile.class);
            return new Snapshot(entries(parsed), version);
        } catch (IOException e) {
            throw new IllegalArgumentException("tokens file " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    static List<Entry> entries(TokensFile parsed) {
        if (parsed == null || parsed.tokens() == null) {
            throw new IllegalArgumentException("expected a list 'tokens: [{name, sha256, tenants, roles}]'");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> hashes = new LinkedHashSet<>();
        for (int i = 0; i < parsed.tokens().size(); i++) {
            FileEntry e = parsed.tokens().get(i);
            String where = "tokens[" + i + "]";
            if (e == null || e.name() == null || e.name().isBlank() || e.name().length() > 256) {
                throw new IllegalArgumentException(where + ".name: required, 1 to 256 characters");
            }
            where = where + " (" + e.name() + ")";
            if (e.sha256() == null || !SHA256.matcher(e.sha256()).matches()) {
                throw new IllegalArgumentException(where + ".sha256: must be the 64 hex digits of the token's SHA-256");
            }
            String hex = e.sha256().toLowerCase(Locale.ROOT);
            if (!hashes.add(hex)) {
                throw new IllegalArgumentException(where + ".sha256: the same token is listed twice");
            }
            Set<Role> roles = EnumSet.noneOf(Role.class);
            for (String name : e.roles() == null ? List.<String>of() : e.roles()) {
                roles.add(Role.parse(name).orElseThrow(() -> new IllegalArgumentException(
                        "tokens entry " + e.name() + ": unknown role '" + name + "' (submit, read, cancel, admin)")));
            }
            List<String> tenants = e.tenants() == null ? List.of() : e.tenants();
            for (String tenant : tenants) {
                if (!Names.isTenant(tenant)) {
                    throw new IllegalArgumentException("tokens entry " + e.name() + ": tenant '" + tenant + "' must match "
                            + Names.TENANT.pattern());
                }
            }
            if (tenants.isEmpty() && !roles.contains(Role.ADMIN)) {
                throw new IllegalArgumentException("tokens entry " + e.name() + ": needs at least one tenant (or role admin)");
            }
            entries.add(new Entry(HexFormat.of().parseHex(hex), new Principal(e.name(), Set.copyOf(tenants), roles)));
        }
        return List.copyOf(entries);
    }

    /** The hex SHA-256 of a token, as the tokens file holds it. */
    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
