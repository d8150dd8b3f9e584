package io.kindling.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;

/** The contract against a real Azurite; each test gets a container named after it. */
@ExtendWith(SharedAzurite.class)
class AzureBlobStoreIT extends BlobStoreContract {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final AzuriteFixture azurite;

    AzureBlobStoreIT(AzuriteFixture azurite) {
        this.azurite = azurite;
    }

    @Override
    protected BlobStore openStore(String testName) {
        return BlobStores.open(BlobStoreConfig.azure(AzureBlobStoreConfig.of(azurite.connectionString(), container(testName))));
    }

    /** A valid container name from the test's name, unique within the run. */
    private static String container(String testName) {
        String name = testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String suffix = "-" + SEQUENCE.incrementAndGet();
        return name.substring(0, Math.min(name.length(), 63 - suffix.length())) + suffix;
    }

    @Test
    void speaksThePinnedServiceVersion() {
        assertThat(((AzureBlobStore) store).config().serviceVersion())
                .isEqualTo(AzureBlobStoreConfig.DEFAULT_SERVICE_VERSION);
        append("v", 0, "ok");
        assertThat(store.length("v")).isEqualTo(2);
    }

    @Test
    void appendingToABlockBlobIsAPermanentFailure() {
        store.put("index.json", bytes("{}"));

        assertThatThrownBy(() -> append("index.json", 2, "x"))
                .isInstanceOfSatisfying(BlobStoreException.class, e -> assertThat(e.transientFailure()).isFalse());
    }

    @Test
    void aConnectionStringTheSdkRejectsFailsWithoutShowingTheKey() {
        String noEndpoint = "AccountKey=" + AzuriteFixture.ACCOUNT_KEY + ";Foo=bar";

        assertThatThrownBy(() -> new AzureBlobStore(AzureBlobStoreConfig.of(noEndpoint, "rejected")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KINDLING_AZURE_CONNECTION_STRING")
                .hasMessageNotContaining(AzuriteFixture.ACCOUNT_KEY)
                .hasNoCause();
    }

    @Test
    void anUnreachableServiceIsATransientFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String connectionString = azurite.connectionString().replace(":" + azurite.port() + "/", ":" + closedPort + "/");

        assertThatThrownBy(() -> new AzureBlobStore(AzureBlobStoreConfig.of(connectionString, "unreachable")))
                .isInstanceOfSatisfying(BlobStoreException.class, e -> assertThat(e.transientFailure()).isTrue());
    }
}
