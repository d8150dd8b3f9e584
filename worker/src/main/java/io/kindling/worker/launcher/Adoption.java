package io.kindling.worker.launcher;

/** What a {@link Launcher} found of an attempt that an earlier worker process launched (see {@link Launcher#adopt}). */
public sealed interface Adoption {

    /** It still runs, or has ended and left its exit behind: watch it through {@code app}. */
    record Running(LaunchedApp app) implements Adoption {
    }

    /** It was launched but is gone without a recorded end (reported LOST); anything left of it has been stopped. */
    record Vanished(String message) implements Adoption {
    }

    /** Nothing of it was ever started here (or this launcher cannot tell): it may be launched. */
    record NotLaunched() implements Adoption {
    }
}
