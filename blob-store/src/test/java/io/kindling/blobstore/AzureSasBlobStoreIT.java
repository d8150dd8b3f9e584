package io.kindling.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;

import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;

/**
 * The whole contract against Azurite with an account SAS instead of the account key (the test
 * signs the SAS with Azurite's key, as an operator would), plus a container SAS that may not
 * create containers.
 */
@ExtendWith(SharedAzurite.class)
class AzureSasBlobStoreIT extends BlobStoreContract {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final AzuriteFixture azurite;

    AzureSasBlobStoreIT(AzuriteFixture azurite) {
        this.azurite = azurite;
    }

    private BlobServiceClient keyClient() {
        return new BlobServiceClientBuilder().connectionString(azurite.connectionString())
                .serviceVersion(AzureBlobStoreConfig.DEFAULT_SERVICE_VERSION).buildClient();
    }

    private String accountSas() {
        return keyClient().generateAccountSas(new AccountSasSignatureValues(OffsetDateTime.now().plusHours(1),
                AccountSasPermission.parse("rwdlacup"), AccountSasService.parse("b"), AccountSasResourceType.parse("sco")));
    }

    @Override
    protected BlobStore openStore(String testName) {
        return BlobStores.open(BlobStoreConfig.azure(AzureBlobStoreConfig.sas(azurite.blobEndpoint(), accountSas(),
                container(testName))));
    }

    @Test
    void usesTheSasAndNeverTheKey() {
        AzureBlobStoreConfig config = ((AzureBlobStore) store).config();
        assertThat(config.credential()).isEqualTo(AzureBlobStoreConfig.Credential.SAS);
        assertThat(config.toString()).doesNotContain(AzuriteFixture.ACCOUNT_KEY).doesNotContain(config.sasToken());
    }

    @Test
    void aContainerSasWorksOnAnExistingContainerItMayNotCreate() {
        BlobContainerClient existing = keyClient().getBlobContainerClient(container("containersas"));
        existing.create();
        String sas = existing.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
                BlobContainerSasPermission.parse("racwdl")));

        try (BlobStore scoped = new AzureBlobStore(AzureBlobStoreConfig.sas(azurite.blobEndpoint(), sas,
                existing.getBlobContainerName()))) {
            scoped.append("t/j/1/stdout", 0, bytes("line\n"), 0, 5);
            String v1 = scoped.putIfVersion("t/j/1/index.json", bytes("{}"), null);
            assertThat(scoped.getVersioned("t/j/1/index.json").orElseThrow().version()).isEqualTo(v1);
            assertThat(scoped.list("t/j/1/")).containsExactly("t/j/1/index.json", "t/j/1/stdout");
        }
        // the same SAS names one container: another one is out of its reach
        assertThatThrownBy(() -> new AzureBlobStore(AzureBlobStoreConfig.sas(azurite.blobEndpoint(), sas,
                container("elsewhere")))).isInstanceOf(BlobStoreException.class);
    }

    private static String container(String testName) {
        String name = "sas" + testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String suffix = "-" + SEQUENCE.incrementAndGet();
        return name.substring(0, Math.min(name.length(), 63 - suffix.length())) + suffix;
    }
}
