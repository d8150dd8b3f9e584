package io.kindling.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.azure.storage.blob.BlobServiceVersion;

class BlobStoreConfigTest {

    private static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static final String CONNECTION_STRING = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
            + KEY + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";
    private static final String SAS_CONNECTION_STRING = "BlobEndpoint=https://acct.blob.core.windows.net;"
            + "SharedAccessSignature=sv=2025-11-05&ss=b&srt=sco&sp=rwl&sig=c2VjcmV0JTJGc2ln";

    @Test
    void defaultsToALocalStoreUnderKindlingHome() {
        BlobStoreConfig config = BlobStoreConfig.fromEnv(Map.of());

        assertThat(config.kind()).isEqualTo(BlobStoreConfig.Kind.LOCAL);
        assertThat(config.localDir()).isEqualTo(Path.of(".kindling", "blobs").toAbsolutePath());
        assertThat(config.azure()).isEmpty();
    }

    @Test
    void readsTheBlobDirectoryOrDerivesItFromKindlingHome() {
        assertThat(BlobStoreConfig.fromEnv(Map.of("KINDLING_HOME", "/srv/kindling")).localDir())
                .isEqualTo(Path.of("/srv/kindling/blobs"));
        assertThat(BlobStoreConfig.fromEnv(Map.of("KINDLING_HOME", "/srv/kindling", "KINDLING_BLOB_DIR", "/data/blobs"))
                .localDir()).isEqualTo(Path.of("/data/blobs"));
    }

    @Test
    void readsAnAzureStore() {
        BlobStoreConfig config = BlobStoreConfig.fromEnv(Map.of(
                "KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_CONNECTION_STRING", CONNECTION_STRING,
                "KINDLING_AZURE_CONTAINER", "driver-logs",
                "KINDLING_AZURE_SERVICE_VERSION", "2025-05-05"));

        assertThat(config.kind()).isEqualTo(BlobStoreConfig.Kind.AZURE);
        AzureBlobStoreConfig azure = config.azure().orElseThrow();
        assertThat(azure.connectionString()).isEqualTo(CONNECTION_STRING);
        assertThat(azure.container()).isEqualTo("driver-logs");
        assertThat(azure.serviceVersion()).isEqualTo(BlobServiceVersion.V2025_05_05);
    }

    @Test
    void azureDefaultsToTheKindlingContainerAndAVersionAzuriteAccepts() {
        AzureBlobStoreConfig azure = BlobStoreConfig.fromEnv(Map.of(
                "KINDLING_BLOB_STORE", "AZURE", "KINDLING_AZURE_CONNECTION_STRING", CONNECTION_STRING)).azure().orElseThrow();

        assertThat(azure.container()).isEqualTo("kindling");
        assertThat(azure.serviceVersion()).isEqualTo(BlobServiceVersion.V2025_11_05);
    }

    @Test
    void azureNeedsAConnectionString() {
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KINDLING_AZURE_CONNECTION_STRING");
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_CONNECTION_STRING", "  ")))
                .hasMessageContaining("KINDLING_AZURE_CONNECTION_STRING");
    }

    @Test
    void invalidValuesNameTheirKey() {
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "s3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KINDLING_BLOB_STORE");
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_DIR", "bad\0path")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KINDLING_BLOB_DIR");
        assertThatThrownBy(() -> azure(Map.of("KINDLING_AZURE_CONTAINER", "Bad_Name")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KINDLING_AZURE_CONTAINER");
        assertThatThrownBy(() -> azure(Map.of("KINDLING_AZURE_CONTAINER", "a--b")))
                .hasMessageContaining("KINDLING_AZURE_CONTAINER");
        assertThatThrownBy(() -> azure(Map.of("KINDLING_AZURE_SERVICE_VERSION", "2099-01-01")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KINDLING_AZURE_SERVICE_VERSION")
                .hasMessageContaining("2025-11-05");
    }

    @Test
    void aMalformedConnectionStringIsRejectedWithoutEchoingIt() {
        assertThatThrownBy(() -> azure(Map.of("KINDLING_AZURE_CONNECTION_STRING", "AccountKey=" + KEY + ";garbage")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KINDLING_AZURE_CONNECTION_STRING")
                .hasMessageNotContaining(KEY);
    }

    @Test
    void secretsAreRedactedFromToStringAndDescribe() {
        BlobStoreConfig withKey = BlobStoreConfig.azure(AzureBlobStoreConfig.of(CONNECTION_STRING, "kindling"));
        BlobStoreConfig withSas = BlobStoreConfig.azure(AzureBlobStoreConfig.of(SAS_CONNECTION_STRING, "kindling"));

        assertThat(withKey.toString()).doesNotContain(KEY).contains("AccountKey=***").contains("devstoreaccount1");
        assertThat(withKey.describe()).doesNotContain(KEY).contains("AccountKey=***").contains("2025-11-05");
        assertThat(withSas.toString()).doesNotContain("sig=").contains("SharedAccessSignature=***");
        assertThat(withSas.describe()).doesNotContain("sig=");
    }

    @Test
    void scrubsSecretsOutOfText() {
        AzureBlobStoreConfig azure = AzureBlobStoreConfig.of(SAS_CONNECTION_STRING, "kindling");

        assertThat(azure.scrub("bad value sv=2025-11-05&ss=b&srt=sco&sp=rwl&sig=c2VjcmV0JTJGc2ln here"))
                .isEqualTo("bad value *** here");
        assertThat(AzureBlobStoreConfig.of(CONNECTION_STRING, "kindling").scrub("key " + KEY)).isEqualTo("key ***");
    }

    @Test
    void listsEveryKeyItReads() {
        assertThat(BlobStoreConfig.KEYS).containsExactlyInAnyOrder("KINDLING_BLOB_STORE", "KINDLING_BLOB_DIR",
                "KINDLING_HOME", "KINDLING_AZURE_CONNECTION_STRING", "KINDLING_AZURE_ACCOUNT_URL",
                "KINDLING_AZURE_SAS_TOKEN_FILE", "KINDLING_AZURE_CONTAINER", "KINDLING_AZURE_SERVICE_VERSION");
    }

    @Test
    void anAccountUrlAloneMeansMicrosoftEntra() {
        AzureBlobStoreConfig azure = BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_ACCOUNT_URL", "https://acct.blob.core.windows.net")).azure().orElseThrow();

        assertThat(azure.credential()).isEqualTo(AzureBlobStoreConfig.Credential.ENTRA);
        assertThat(azure.connectionString()).isNull();
        assertThat(azure.describe()).contains("https://acct.blob.core.windows.net").contains("DefaultAzureCredential");
    }

    @Test
    void anAccountUrlWithASasTokenFileMeansSasAndTheTokenIsNeverShown(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("sas"), "?sv=2025-11-05&sp=racwl&sig=c2lnbmF0dXJl%3D\n");
        AzureBlobStoreConfig azure = BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_ACCOUNT_URL", "https://acct.blob.core.windows.net",
                "KINDLING_AZURE_SAS_TOKEN_FILE", file.toString())).azure().orElseThrow();

        assertThat(azure.credential()).isEqualTo(AzureBlobStoreConfig.Credential.SAS);
        assertThat(azure.sasToken()).isEqualTo("sv=2025-11-05&sp=racwl&sig=c2lnbmF0dXJl%3D");
        assertThat(azure.describe()).doesNotContain("c2lnbmF0dXJl").contains("SAS token");
        assertThat(azure.toString()).doesNotContain("c2lnbmF0dXJl");
        assertThat(azure.scrub("failed: https://acct/x?sig=c2lnbmF0dXJl%3D")).doesNotContain("c2lnbmF0dXJl");
    }

    @Test
    void credentialsThatContradictOrAreMissingFailNamingTheKeys(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure")))
                .hasMessageContaining("KINDLING_AZURE_CONNECTION_STRING").hasMessageContaining("KINDLING_AZURE_ACCOUNT_URL");
        assertThatThrownBy(() -> azure(Map.of("KINDLING_AZURE_ACCOUNT_URL", "https://acct.blob.core.windows.net")))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_ACCOUNT_URL", "http://acct.blob.core.windows.net")))
                .hasMessageContaining("KINDLING_AZURE_ACCOUNT_URL").hasMessageContaining("https");
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_ACCOUNT_URL", "https://acct.blob.core.windows.net?sv=1&sig=x")))
                .hasMessageContaining("KINDLING_AZURE_SAS_TOKEN_FILE");
        assertThatThrownBy(() -> BlobStoreConfig.fromEnv(Map.of("KINDLING_BLOB_STORE", "azure",
                "KINDLING_AZURE_ACCOUNT_URL", "https://acct.blob.core.windows.net",
                "KINDLING_AZURE_SAS_TOKEN_FILE", dir.resolve("absent").toString())))
                .hasMessageContaining("KINDLING_AZURE_SAS_TOKEN_FILE");
        assertThat(AzureBlobStoreConfig.entra("http://127.0.0.1:10000/devstoreaccount1", "kindling").credential())
                .as("http is fine on loopback (an emulator)").isEqualTo(AzureBlobStoreConfig.Credential.ENTRA);
    }

    private static AzureBlobStoreConfig azure(Map<String, String> overrides) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "KINDLING_BLOB_STORE", "azure", "KINDLING_AZURE_CONNECTION_STRING", CONNECTION_STRING));
        env.putAll(overrides);
        return BlobStoreConfig.fromEnv(env).azure().orElseThrow();
    }
}
