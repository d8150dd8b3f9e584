package io.kindling.blobstore;

/** Opens the {@link BlobStore} a {@link BlobStoreConfig} names. */
public final class BlobStores {

    private BlobStores() {
    }

    public static BlobStore open(BlobStoreConfig config) {
        return switch (config.kind()) {
            case LOCAL -> new LocalDirBlobStore(config.localDir());
            case AZURE -> new AzureBlobStore(config.azure().orElseThrow());
        };
    }
}
