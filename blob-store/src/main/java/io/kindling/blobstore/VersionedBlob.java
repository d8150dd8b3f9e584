package io.kindling.blobstore;

import java.util.Objects;

/**
 * A whole blob and its version: an opaque tag that changes whenever the blob is replaced (Azure's
 * ETag; a hash of the content for the local store). Give it back to
 * {@link BlobStore#putIfVersion} to replace exactly what was read.
 */
public record VersionedBlob(byte[] data, String version) {
    public VersionedBlob {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(version, "version");
    }
}
