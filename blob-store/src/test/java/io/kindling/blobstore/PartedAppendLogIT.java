package io.kindling.blobstore;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.extension.ExtendWith;

import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;

/** The part log against a real Azurite, whose committed block counts are Azure's own; a container per test. */
@ExtendWith(SharedAzurite.class)
class PartedAppendLogIT extends PartedAppendLogContract {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final AzuriteFixture azurite;

    PartedAppendLogIT(AzuriteFixture azurite) {
        this.azurite = azurite;
    }

    @Override
    protected BlobStore openStore(String testName) {
        String name = "parts" + testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String suffix = "-" + SEQUENCE.incrementAndGet();
        String container = name.substring(0, Math.min(name.length(), 63 - suffix.length())) + suffix;
        return BlobStores.open(BlobStoreConfig.azure(AzureBlobStoreConfig.of(azurite.connectionString(), container)));
    }
}
