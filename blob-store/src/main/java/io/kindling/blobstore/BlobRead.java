package io.kindling.blobstore;

import java.util.Objects;

/**
 * Bytes read from a blob, and the blob's whole length when they were read.
 *
 * @param bytes      the bytes read, possibly none
 * @param blobLength the blob's committed length at the time of the read
 */
public record BlobRead(byte[] bytes, long blobLength) {

    public BlobRead {
        Objects.requireNonNull(bytes, "bytes");
        if (blobLength < 0) {
            throw new IllegalArgumentException("blobLength must not be negative: " + blobLength);
        }
    }

    /** True if the read reached the end of the blob. */
    public boolean reachedEnd(long offset) {
        return offset + bytes.length >= blobLength;
    }
}
