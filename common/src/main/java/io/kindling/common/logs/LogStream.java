package io.kindling.common.logs;

import java.util.Locale;
import java.util.Optional;

/** The driver output streams Kindling ships and serves. */
public enum LogStream {
    STDOUT, STDERR;

    /** The file and blob name: {@code stdout} or {@code stderr}. */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LogStream> parse(String name) {
        for (LogStream s : values()) {
            if (s.fileName().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
