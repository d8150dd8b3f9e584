package io.kindling.blobstore;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which blob store to open.
 *
 * <table>
 *   <caption>Environment</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #STORE}</td><td>local</td><td>{@code local} or {@code azure}</td></tr>
 *   <tr><td>{@value #BLOB_DIR}</td><td>$KINDLING_HOME/blobs</td><td>directory of the local store</td></tr>
 *   <tr><td>{@value #HOME}</td><td>./.kindling</td><td>Kindling's state directory</td></tr>
 *   <tr><td>{@value AzureBlobStoreConfig#CONNECTION_STRING}</td><td>one of this or the account URL for azure</td>
 *       <td>storage connection string (secret)</td></tr>
 *   <tr><td>{@value AzureBlobStoreConfig#ACCOUNT_URL}</td><td>-</td>
 *       <td>Blob service URL: with a SAS token file, or else Microsoft Entra (DefaultAzureCredential)</td></tr>
 *   <tr><td>{@value AzureBlobStoreConfig#SAS_TOKEN_FILE}</td><td>-</td><td>file holding a SAS token (secret)</td></tr>
 *   <tr><td>{@value AzureBlobStoreConfig#CONTAINER}</td><td>kindling</td><td>container</td></tr>
 *   <tr><td>{@value AzureBlobStoreConfig#SERVICE_VERSION}</td><td>2025-11-05</td>
 *       <td>Blob service REST version</td></tr>
 * </table>
 *
 * @param kind     which implementation
 * @param localDir the local store's directory (resolved even when kind is azure)
 * @param azure    present if and only if kind is azure
 */
public record BlobStoreConfig(Kind kind, Path localDir, Optional<AzureBlobStoreConfig> azure) {

    public static final String STORE = "KINDLING_BLOB_STORE";
    public static final String BLOB_DIR = "KINDLING_BLOB_DIR";
    public static final String HOME = "KINDLING_HOME";
    public static final Path DEFAULT_HOME = Path.of(".kindling");

    /** Every key {@link #fromEnv} reads, for a start-up check that rejects unknown KINDLING_* keys. */
    public static final List<String> KEYS = List.of(STORE, BLOB_DIR, HOME,
            AzureBlobStoreConfig.CONNECTION_STRING, AzureBlobStoreConfig.ACCOUNT_URL, AzureBlobStoreConfig.SAS_TOKEN_FILE,
            AzureBlobStoreConfig.CONTAINER, AzureBlobStoreConfig.SERVICE_VERSION);

    public enum Kind {
        LOCAL, AZURE;

        static Kind parse(String value) {
            for (Kind kind : values()) {
                if (kind.name().equalsIgnoreCase(value.trim())) {
                    return kind;
                }
            }
            throw new IllegalArgumentException(STORE + "='" + value + "' is not one of local, azure");
        }

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public BlobStoreConfig {
        Objects.requireNonNull(kind, "kind");
        localDir = Objects.requireNonNull(localDir, "localDir").toAbsolutePath().normalize();
        Objects.requireNonNull(azure, "azure");
        if (azure.isPresent() != (kind == Kind.AZURE)) {
            throw new IllegalArgumentException("Azure settings are given if and only if the store is azure");
        }
    }

    public static BlobStoreConfig local(Path dir) {
        return new BlobStoreConfig(Kind.LOCAL, dir, Optional.empty());
    }

    public static BlobStoreConfig azure(AzureBlobStoreConfig azure) {
        return new BlobStoreConfig(Kind.AZURE, DEFAULT_HOME.resolve("blobs"), Optional.of(azure));
    }

    public static BlobStoreConfig fromEnv(Map<String, String> env) {
        Kind kind = value(env, STORE).map(Kind::parse).orElse(Kind.LOCAL);
        Path home = value(env, HOME).map(v -> path(HOME, v)).orElse(DEFAULT_HOME);
        Path localDir = value(env, BLOB_DIR).map(v -> path(BLOB_DIR, v)).orElseGet(() -> home.resolve("blobs"));
        Optional<AzureBlobStoreConfig> azure = kind == Kind.AZURE
                ? Optional.of(AzureBlobStoreConfig.fromEnv(env))
                : Optional.empty();
        return new BlobStoreConfig(kind, localDir, azure);
    }

    /** One line for the start-up log, secrets redacted. */
    public String describe() {
        return switch (kind) {
            case LOCAL -> "local directory " + localDir;
            case AZURE -> azure.orElseThrow().describe();
        };
    }

    /** The value of key, absent if unset or blank. */
    static Optional<String> value(Map<String, String> env, String key) {
        return Optional.ofNullable(env.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static Path path(String key, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(key + "='" + value + "' is not a valid path: " + e.getReason(), e);
        }
    }
}
