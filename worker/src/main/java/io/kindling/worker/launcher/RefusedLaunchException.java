package io.kindling.worker.launcher;

/** A launch that cannot be made; its message becomes the {@link Launch.Refused} message. */
final class RefusedLaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedLaunchException(String message) {
        super(message, null, false, false);
    }
}
