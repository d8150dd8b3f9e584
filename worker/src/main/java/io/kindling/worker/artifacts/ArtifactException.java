package io.kindling.worker.artifacts;

/** An artifact a launch needs that cannot be used; the message names its URI and becomes the refusal's message. */
public final class ArtifactException extends Exception {
    private static final long serialVersionUID = 1L;

    public ArtifactException(String message) {
        super(message);
    }

    public ArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}
