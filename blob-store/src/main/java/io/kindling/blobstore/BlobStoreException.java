package io.kindling.blobstore;

/**
 * A blob store operation failed for a reason other than the caller's input: I/O, the service,
 * the network. {@link #transientFailure()} is true when the same call may succeed after backing
 * off (timeouts, 5xx, throttling, connection errors).
 */
public final class BlobStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    public BlobStoreException(String message, Throwable cause, boolean transientFailure) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public BlobStoreException(String message, boolean transientFailure) {
        super(message);
        this.transientFailure = transientFailure;
    }

    public boolean transientFailure() {
        return transientFailure;
    }
}
