package io.kindling.worker.k8s;

/** A run assignment that cannot become driver-pod manifests; the message says why, for people. */
public final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    ManifestException(String message) {
        super(message, null, false, false);
    }
}
