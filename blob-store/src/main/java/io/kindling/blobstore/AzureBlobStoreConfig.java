package io.kindling.blobstore;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.azure.storage.blob.BlobServiceVersion;

/**
 * Where {@link AzureBlobStore} keeps its blobs.
 *
 * @param connectionString a storage connection string; a secret, never shown unredacted
 * @param container        the container, created if missing
 * @param serviceVersion   the Blob service REST version the client speaks
 */
public record AzureBlobStoreConfig(String connectionString, String container, BlobServiceVersion serviceVersion) {

    public static final String CONNECTION_STRING = "KINDLING_AZURE_CONNECTION_STRING";
    public static final String CONTAINER = "KINDLING_AZURE_CONTAINER";
    public static final String SERVICE_VERSION = "KINDLING_AZURE_SERVICE_VERSION";

    public static final String DEFAULT_CONTAINER = "kindling";
    /**
     * The newest version Azurite 3.35 (the emulator our tests run) accepts. Newer SDKs default to
     * versions it rejects; Azure itself accepts this one too.
     */
    public static final BlobServiceVersion DEFAULT_SERVICE_VERSION = BlobServiceVersion.V2025_11_05;

    private static final Pattern CONTAINER_NAME = Pattern.compile("[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
    private static final Set<String> SECRET_PARTS = Set.of("accountkey", "sharedaccesssignature");
    private static final String REDACTED = "***";

    public AzureBlobStoreConfig {
        requireValidConnectionString(connectionString);
        requireValidContainer(container);
        Objects.requireNonNull(serviceVersion, "serviceVersion");
    }

    public static AzureBlobStoreConfig of(String connectionString, String container) {
        return new AzureBlobStoreConfig(connectionString, container, DEFAULT_SERVICE_VERSION);
    }

    /** Reads {@value #CONNECTION_STRING} (required), {@value #CONTAINER} and {@value #SERVICE_VERSION}. */
    public static AzureBlobStoreConfig fromEnv(Map<String, String> env) {
        String connectionString = BlobStoreConfig.value(env, CONNECTION_STRING)
                .orElseThrow(() -> new IllegalArgumentException(CONNECTION_STRING
                        + " is required when " + BlobStoreConfig.STORE + "=azure"));
        String container = BlobStoreConfig.value(env, CONTAINER).orElse(DEFAULT_CONTAINER);
        BlobServiceVersion version = BlobStoreConfig.value(env, SERVICE_VERSION)
                .map(AzureBlobStoreConfig::parseServiceVersion)
                .orElse(DEFAULT_SERVICE_VERSION);
        return new AzureBlobStoreConfig(connectionString, container, version);
    }

    static BlobServiceVersion parseServiceVersion(String value) {
        return Arrays.stream(BlobServiceVersion.values())
                .filter(v -> v.getVersion().equals(value.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(SERVICE_VERSION + "='" + value
                        + "' is not a Blob service version this client knows; one of "
                        + Arrays.stream(BlobServiceVersion.values()).map(BlobServiceVersion::getVersion)
                                .collect(Collectors.joining(", "))));
    }

    /** The connection string with its AccountKey and SharedAccessSignature values masked. */
    public String redactedConnectionString() {
        return redact(connectionString);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "azure container " + container + " via " + redactedConnectionString()
                + " (service version " + serviceVersion.getVersion() + ")";
    }

    @Override
    public String toString() {
        return "AzureBlobStoreConfig[connectionString=" + redactedConnectionString() + ", container=" + container
                + ", serviceVersion=" + serviceVersion.getVersion() + "]";
    }

    /** text with every secret value of the connection string masked, e.g. for an SDK error message. */
    public String scrub(String text) {
        String scrubbed = text == null ? "" : text;
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && SECRET_PARTS.contains(part.substring(0, eq).trim().toLowerCase(Locale.ROOT))) {
                String secret = part.substring(eq + 1).trim();
                if (!secret.isEmpty()) {
                    scrubbed = scrubbed.replace(secret, REDACTED);
                }
            }
        }
        return scrubbed;
    }

    static String redact(String connectionString) {
        return Arrays.stream(connectionString.split(";"))
                .map(part -> {
                    int eq = part.indexOf('=');
                    String key = eq < 0 ? part : part.substring(0, eq);
                    return eq >= 0 && SECRET_PARTS.contains(key.trim().toLowerCase(Locale.ROOT))
                            ? key + "=" + REDACTED : part;
                })
                .collect(Collectors.joining(";"));
    }

    private static void requireValidConnectionString(String connectionString) {
        if (connectionString == null || connectionString.isBlank()) {
            throw new IllegalArgumentException(CONNECTION_STRING + " must not be empty");
        }
        for (String part : connectionString.split(";")) {
            if (!part.isBlank() && part.indexOf('=') <= 0) {
                // the value is a secret: name the key, never echo it
                throw new IllegalArgumentException(CONNECTION_STRING
                        + " is not a storage connection string (expected Key=Value pairs separated by ';')");
            }
        }
    }

    private static void requireValidContainer(String container) {
        if (container == null || !CONTAINER_NAME.matcher(container).matches()) {
            throw new IllegalArgumentException(CONTAINER + "='" + container + "' is not a valid container name"
                    + " (3-63 of a-z 0-9 and single '-', starting and ending with a letter or digit)");
        }
    }
}
