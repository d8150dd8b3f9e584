package io.kindling.common.pools;

import java.util.List;

/**
 * A launch that cannot be made, on any backend: the one refusal type of the launch policy and of
 * both launchers. Its message is a sentence for people (it becomes the attempt's failure message);
 * it names keys, variables and paths, never a secret's value.
 */
public final class LaunchRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What kind of input was refused. */
    public enum Reason {
        /** An environment variable a job may not set. */
        ENVIRONMENT,
        /** A Spark conf key (or value) the pool does not let jobs set. */
        CONF,
        /** A local path outside the directories the pool allows, or not a usable path. */
        LOCAL_PATH,
        /** A secret reference that is not the job's tenant's or cannot be resolved. */
        SECRET,
        /** An {@code artifact://} URI that cannot be used (other tenant, invalid, not fetched). */
        ARTIFACT,
        /** The application itself (no file, NUL characters, a comma in a list entry …). */
        APPLICATION,
        /** The pool or the worker cannot launch it (shutting down, no ports, backend refused it). */
        BACKEND
    }

    private final Reason reason;
    private final List<String> problems;

    public LaunchRefusedException(Reason reason, String message) {
        this(reason, List.of(message));
    }

    /** One refusal listing several problems (each a sentence), joined with "; ". */
    public LaunchRefusedException(Reason reason, List<String> problems) {
        super(String.join("; ", problems), null, false, false);
        this.reason = reason;
        this.problems = List.copyOf(problems);
    }

    public Reason reason() {
        return reason;
    }

    public List<String> problems() {
        return problems;
    }
}
