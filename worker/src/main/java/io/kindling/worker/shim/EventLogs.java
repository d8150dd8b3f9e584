package io.kindling.worker.shim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the Spark application id in an attempt's event log directory: Spark names each event log
 * after its app id. Seen forms: {@code local-1732000000000}, {@code local-1732000000000.inprogress},
 * {@code app-20241119-0001.zstd}, and, with rolling event logs (the default since Spark 4.0), a
 * directory {@code eventlog_v2_local-1732000000000}. Hidden files ({@code .crc}) are ignored.
 */
public final class EventLogs {
    private static final String ROLLING_PREFIX = "eventlog_v2_";
    private static final String IN_PROGRESS = ".inprogress";
    private static final List<String> CODECS = List.of(".lz4", ".lzf", ".snappy", ".zstd");
    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    private EventLogs() {
    }

    /** The app id of the first event log in {@code dir} (by name), if there is one yet. */
    public static Optional<String> appId(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .map(EventLogs::appIdOf)
                    .flatMap(Optional::stream)
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The app id an event log file or directory is named after. */
    public static Optional<String> appIdOf(String name) {
        if (name.startsWith(".")) {
            return Optional.empty();
        }
        String id = name;
        if (id.startsWith(ROLLING_PREFIX)) {
            id = id.substring(ROLLING_PREFIX.length());
        }
        if (id.endsWith(IN_PROGRESS)) {
            id = id.substring(0, id.length() - IN_PROGRESS.length());
        }
        for (String codec : CODECS) {
            if (id.endsWith(codec)) {
                id = id.substring(0, id.length() - codec.length());
                break;
            }
        }
        return APP_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }
}
