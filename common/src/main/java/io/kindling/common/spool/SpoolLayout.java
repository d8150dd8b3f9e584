package io.kindling.common.spool;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KindlingHome;
import java.nio.file.Path;

/**
 * The spool: where a worker writes an attempt's driver output and event log, and where the
 * log-shipper collects them. One directory per attempt, named by the attempt id:
 * <pre>
 *   &lt;spool&gt;/&lt;attemptId&gt;/attempt.json   written by the worker before launch ({@link SpoolAttempt})
 *   &lt;spool&gt;/&lt;attemptId&gt;/stdout         driver stdout, appended while it runs
 *   &lt;spool&gt;/&lt;attemptId&gt;/stderr         driver stderr
 *   &lt;spool&gt;/&lt;attemptId&gt;/eventlog/      spark.eventLog.dir
 *   &lt;spool&gt;/&lt;attemptId&gt;/exit.json      written by the worker once the driver has ended ({@link SpoolExit})
 *   &lt;spool&gt;/.free/                      shipped directories kept for new attempts ({@link FreeAttemptDirs})
 * </pre>
 * Each JSON file is written whole to its {@linkplain #temporary temporary name}, synced, then renamed into place.
 */
public record SpoolLayout(Path root) {
    public static final ConfigParameter<String> SPOOL_DIR =
            ConfigParameter.string("KINDLING_SPOOL_DIR", null, "spool directory (default $KINDLING_HOME/spool)");

    public static final String ATTEMPT_FILE = "attempt.json";
    public static final String EXIT_FILE = "exit.json";
    public static final String EVENT_LOG_DIR = "eventlog";

    public static SpoolLayout from(EnvConfig env) {
        String dir = env.get(SPOOL_DIR);
        return new SpoolLayout(dir != null ? Path.of(dir).toAbsolutePath().normalize()
                : KindlingHome.from(env).resolve("spool"));
    }

    /** The hidden name a file is written under before it is renamed into place: {@code .<name>.tmp}. */
    public static String temporaryName(String fileName) {
        return "." + fileName + ".tmp";
    }

    /** {@link #temporaryName} of {@code target}, beside it. */
    public static Path temporary(Path target) {
        return target.resolveSibling(temporaryName(target.getFileName().toString()));
    }

    public Path attemptDir(String attemptId) {
        return root.resolve(attemptId);
    }

    public Path stream(String attemptId, String stream) {
        return attemptDir(attemptId).resolve(stream);
    }

    public Path eventLogDir(String attemptId) {
        return attemptDir(attemptId).resolve(EVENT_LOG_DIR);
    }

    public Path attemptFile(String attemptId) {
        return attemptDir(attemptId).resolve(ATTEMPT_FILE);
    }

    public Path exitFile(String attemptId) {
        return attemptDir(attemptId).resolve(EXIT_FILE);
    }
}
