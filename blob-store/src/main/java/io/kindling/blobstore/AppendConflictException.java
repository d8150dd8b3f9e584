package io.kindling.blobstore;

/**
 * An append was refused because the blob's length was not the expected one. Nothing was written;
 * {@link #actualLength()} is where the blob ends (0 if it does not exist).
 */
public final class AppendConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final long expectedLength;
    private final long actualLength;

    public AppendConflictException(String path, long expectedLength, long actualLength) {
        super("Append to " + path + " at " + expectedLength + " refused: the blob's length is " + actualLength);
        this.path = path;
        this.expectedLength = expectedLength;
        this.actualLength = actualLength;
    }

    public String path() {
        return path;
    }

    public long expectedLength() {
        return expectedLength;
    }

    public long actualLength() {
        return actualLength;
    }
}
