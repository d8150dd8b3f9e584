package io.kindling.worker.launcher;

/** What came of asking a {@link Launcher} to start an attempt. */
public sealed interface Launch {

    /** The driver runs; watch it through {@code app}. */
    record Started(LaunchedApp app) implements Launch {
    }

    /** Nothing was started (a SUBMISSION_FAILED): {@code message} says why, in a sentence for people. */
    record Refused(String message) implements Launch {
    }
}
