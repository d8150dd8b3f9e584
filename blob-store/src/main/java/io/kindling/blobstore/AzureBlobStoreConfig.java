package io.kindling.blobstore;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.azure.storage.blob.BlobServiceVersion;

/**
 * Where {@link AzureBlobStore} keeps its blobs, and with which credential. Exactly one of:
 * <ul>
 *   <li>a connection string (account key or SAS inside it): {@link Credential#CONNECTION_STRING};</li>
 *   <li>the account URL and a SAS token (read from a file): {@link Credential#SAS};</li>
 *   <li>the account URL alone: Microsoft Entra through azure-identity's
 *       {@code DefaultAzureCredential} (AKS workload identity, managed identity, a service
 *       principal from the standard {@code AZURE_*} variables, …): {@link Credential#ENTRA}.</li>
 * </ul>
 *
 * @param connectionString a storage connection string, or null; a secret, never shown unredacted
 * @param accountUrl       the Blob service URL ({@code https://<account>.blob.core.windows.net}), or null
 * @param sasToken         a SAS token for {@code accountUrl}, or null; a secret, never shown
 * @param container        the container, created if missing (and if the credential may)
 * @param serviceVersion   the Blob service REST version the client speaks
 */
public record AzureBlobStoreConfig(String connectionString, String accountUrl, String sasToken, String container,
        BlobServiceVersion serviceVersion) {

    public static final String CONNECTION_STRING = "KINDLING_AZURE_CONNECTION_STRING";
    public static final String ACCOUNT_URL = "KINDLING_AZURE_ACCOUNT_URL";
    public static final String SAS_TOKEN_FILE = "KINDLING_AZURE_SAS_TOKEN_FILE";
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
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");
    private static final String REDACTED = "***";

    /** How the store authenticates. */
    public enum Credential { CONNECTION_STRING, SAS, ENTRA }

    public AzureBlobStoreConfig {
        if (connectionString != null) {
            requireValidConnectionString(connectionString);
            if (accountUrl != null || sasToken != null) {
                throw new IllegalArgumentException("set either " + CONNECTION_STRING + " or " + ACCOUNT_URL
                        + " (with " + SAS_TOKEN_FILE + " or Microsoft Entra), not both");
            }
        } else {
            requireValidAccountUrl(accountUrl);
            if (sasToken != null) {
                sasToken = sasToken.strip();
                sasToken = sasToken.startsWith("?") ? sasToken.substring(1) : sasToken;
                if (sasToken.isEmpty() || !sasToken.contains("sig=")) {
                    throw new IllegalArgumentException(SAS_TOKEN_FILE + " does not hold a SAS token (no sig= part)");
                }
            }
        }
        requireValidContainer(container);
        Objects.requireNonNull(serviceVersion, "serviceVersion");
    }

    /** A store reached with a connection string. */
    public AzureBlobStoreConfig(String connectionString, String container, BlobServiceVersion serviceVersion) {
        this(connectionString, null, null, container, serviceVersion);
    }

    public static AzureBlobStoreConfig of(String connectionString, String container) {
        return new AzureBlobStoreConfig(connectionString, container, DEFAULT_SERVICE_VERSION);
    }

    /** A store reached at {@code accountUrl} with a SAS token (account or container SAS). */
    public static AzureBlobStoreConfig sas(String accountUrl, String sasToken, String container) {
        return new AzureBlobStoreConfig(null, accountUrl, Objects.requireNonNull(sasToken, "sasToken"), container,
                DEFAULT_SERVICE_VERSION);
    }

    /** A store reached at {@code accountUrl} with Microsoft Entra credentials (DefaultAzureCredential). */
    public static AzureBlobStoreConfig entra(String accountUrl, String container) {
        return new AzureBlobStoreConfig(null, accountUrl, null, container, DEFAULT_SERVICE_VERSION);
    }

    public Credential credential() {
        return connectionString != null ? Credential.CONNECTION_STRING : sasToken != null ? Credential.SAS : Credential.ENTRA;
    }

    /**
     * Reads {@value #CONNECTION_STRING}, or {@value #ACCOUNT_URL} with {@value #SAS_TOKEN_FILE} or
     * else Microsoft Entra; {@value #CONTAINER} and {@value #SERVICE_VERSION}.
     */
    public static AzureBlobStoreConfig fromEnv(Map<String, String> env) {
        String connectionString = BlobStoreConfig.value(env, CONNECTION_STRING).orElse(null);
        String accountUrl = BlobStoreConfig.value(env, ACCOUNT_URL).orElse(null);
        String sasFile = BlobStoreConfig.value(env, SAS_TOKEN_FILE).orElse(null);
        if (connectionString == null && accountUrl == null) {
            throw new IllegalArgumentException(CONNECTION_STRING + " or " + ACCOUNT_URL + " is required when "
                    + BlobStoreConfig.STORE + "=azure");
        }
        if (sasFile != null && accountUrl == null) {
            throw new IllegalArgumentException(SAS_TOKEN_FILE + " needs " + ACCOUNT_URL);
        }
        String sasToken = sasFile == null ? null : readSecret(SAS_TOKEN_FILE, sasFile);
        String container = BlobStoreConfig.value(env, CONTAINER).orElse(DEFAULT_CONTAINER);
        BlobServiceVersion version = BlobStoreConfig.value(env, SERVICE_VERSION)
                .map(AzureBlobStoreConfig::parseServiceVersion)
                .orElse(DEFAULT_SERVICE_VERSION);
        return new AzureBlobStoreConfig(connectionString, accountUrl, sasToken, container, version);
    }

    private static String readSecret(String key, String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException | InvalidPathException e) {
            throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
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

    /** The connection string with its AccountKey and SharedAccessSignature values masked (null without one). */
    public String redactedConnectionString() {
        return connectionString == null ? null : redact(connectionString);
    }

    /** One line for the start-up log. */
    public String describe() {
        String via = switch (credential()) {
            case CONNECTION_STRING -> redactedConnectionString();
            case SAS -> accountUrl + " with a SAS token (" + REDACTED + ")";
            case ENTRA -> accountUrl + " with Microsoft Entra (DefaultAzureCredential)";
        };
        return "azure container " + container + " via " + via + " (service version " + serviceVersion.getVersion() + ")";
    }

    @Override
    public String toString() {
        return "AzureBlobStoreConfig[" + credential() + ", "
                + (connectionString != null ? "connectionString=" + redactedConnectionString() : "accountUrl=" + accountUrl)
                + ", container=" + container + ", serviceVersion=" + serviceVersion.getVersion() + "]";
    }

    /** text with every secret value (account key, SAS token and its signature) masked, e.g. for an SDK error message. */
    public String scrub(String text) {
        String scrubbed = text == null ? "" : text;
        if (sasToken != null) {
            scrubbed = scrubbed.replace(sasToken, REDACTED);
            for (String part : sasToken.split("&")) {
                if (part.startsWith("sig=") && part.length() > 4) {
                    scrubbed = scrubbed.replace(part.substring(4), REDACTED);
                }
            }
        }
        if (connectionString == null) {
            return scrubbed;
        }
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

    private static void requireValidAccountUrl(String accountUrl) {
        if (accountUrl == null || accountUrl.isBlank()) {
            throw new IllegalArgumentException(CONNECTION_STRING + " or " + ACCOUNT_URL + " must be set");
        }
        URI uri;
        try {
            uri = new URI(accountUrl.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(ACCOUNT_URL + "='" + accountUrl + "' is not a URL");
        }
        boolean loopback = uri.getHost() != null && LOOPBACK.contains(uri.getHost());
        if (uri.getHost() == null || uri.getQuery() != null
                || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback))) {
            throw new IllegalArgumentException(ACCOUNT_URL + "='" + accountUrl + "' must be an https URL without a query,"
                    + " e.g. https://<account>.blob.core.windows.net (http only on loopback, for an emulator);"
                    + " the SAS token goes in " + SAS_TOKEN_FILE);
        }
    }

    private static void requireValidContainer(String container) {
        if (container == null || !CONTAINER_NAME.matcher(container).matches()) {
            throw new IllegalArgumentException(CONTAINER + "='" + container + "' is not a valid container name"
                    + " (3-63 of a-z 0-9 and single '-', starting and ending with a letter or digit)");
        }
    }
}
