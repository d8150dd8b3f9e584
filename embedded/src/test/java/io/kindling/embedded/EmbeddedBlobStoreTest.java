package io.kindling.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.common.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The blob store of {@code ./kindling up}: the user's choice, {@code local} when there is none, and said at start. */
class EmbeddedBlobStoreTest {
    /** Azurite's published development account (not a secret). */
    private static final String AZURITE = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    @Test
    void nothingSetIsALocalDirectoryUnderKindlingHome() {
        Map<String, String> env = Map.of("KINDLING_HOME", "/tmp/kh");

        assertThat(EmbeddedStack.blobStore(env).kind()).isEqualTo(BlobStoreConfig.Kind.LOCAL);
        assertThat(EmbeddedStack.startupLines(env, pools(env)))
                .startsWith("blob store: local directory " + Path.of("/tmp/kh/blobs"));
    }

    @Test
    void azureAndItsSettingsAreHonouredAndSaidWithoutTheKey() {
        Map<String, String> env = Map.of("KINDLING_BLOB_STORE", "azure", "KINDLING_AZURE_CONNECTION_STRING", AZURITE,
                "KINDLING_AZURE_CONTAINER", "tryout");

        BlobStoreConfig store = EmbeddedStack.blobStore(env);
        assertThat(store.kind()).isEqualTo(BlobStoreConfig.Kind.AZURE);
        String said = EmbeddedStack.startupLines(env, pools(env)).get(0);
        assertThat(said).startsWith("blob store: azure container tryout via ").contains("127.0.0.1:10000")
                .doesNotContain("Eby8vdM02x");
    }

    @Test
    void azureWithoutCredentialsIsRefusedNamingTheKeys() {
        assertThatThrownBy(() -> EmbeddedStack.blobStore(Map.of("KINDLING_BLOB_STORE", "azure")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KINDLING_AZURE_CONNECTION_STRING");
    }

    private static EmbeddedPools pools(Map<String, String> env) {
        return EmbeddedPools.resolve(env);
    }
}
