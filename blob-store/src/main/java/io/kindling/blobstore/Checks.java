package io.kindling.blobstore;

import java.util.Objects;

/** Argument checks shared by the {@link BlobStore} implementations. */
final class Checks {

    private Checks() {
    }

    static void checkAppend(long expectedLength, byte[] data, int off, int len) {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(off, len, data.length);
        if (len > BlobStore.MAX_APPEND_BYTES) {
            throw new IllegalArgumentException("An append is at most " + BlobStore.MAX_APPEND_BYTES
                    + " bytes, not " + len);
        }
        if (expectedLength < 0) {
            throw new IllegalArgumentException("expectedLength must not be negative: " + expectedLength);
        }
    }

    static void checkRead(long offset, int maxBytes) {
        if (offset < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("offset and maxBytes must not be negative: " + offset + ", " + maxBytes);
        }
    }
}
