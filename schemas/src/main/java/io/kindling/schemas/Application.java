package io.kindling.schemas;

import java.util.List;

/** The application a job runs: its main file, main class (JVM only) and arguments. */
public record Application(ApplicationType type, String file, String mainClass, List<String> args) {
    public Application {
        args = args == null ? List.of() : List.copyOf(args);
    }
}
