package io.kindling.blobstore;

/**
 * A conditional write was refused: the blob was no longer at the expected version (or existed
 * when it was expected not to). Nothing was written; read it again and decide.
 */
public final class PreconditionFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String path;

    public PreconditionFailedException(String path, String expectedVersion) {
        super("Conditional write of " + path + " refused: "
                + (expectedVersion == null ? "it exists already" : "it is no longer at version " + expectedVersion));
        this.path = path;
    }

    public String path() {
        return path;
    }
}
