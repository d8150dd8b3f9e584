package io.kindling.worker.shim;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A failed driver's reason in one line, for people: the last meaningful line of its stderr, else
 * of its stdout, else the last non-blank line of its stderr. Meaningful means not routine Spark
 * logging (INFO, WARN, DEBUG, Spark's start-up notices), not a stack frame, not blank.
 *
 * <p>stdout is searched too because Spark's PythonRunner merges the Python driver's stderr into
 * its stdout: a Python traceback ends up in the spool's {@code stdout}, its {@code stderr} holding
 * only Spark's own logging.
 */
public final class FailureMessage {
    static final int MAX_MESSAGE = 500;
    private static final int TAIL_BYTES = 64 * 1024;
    private static final Pattern ROUTINE = Pattern.compile(String.join("|",
            "^\\d{2}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} (INFO|WARN|DEBUG|TRACE) .*",
            "^\\s+at .*", "^\\s*\\.\\.\\. \\d+ more\\s*$", "^\\s*File \".*",
            "^Using Spark's default log4j profile.*", "^WARNING: Using incubator modules.*",
            "^Setting default log level to.*", "^To adjust logging level use.*"));

    private FailureMessage() {
    }

    /** The reason, at most {@value #MAX_MESSAGE} characters, or null when both files are empty or unreadable. */
    public static String of(Path stderr, Path stdout) {
        String err = tail(stderr);
        String out = tail(stdout);
        return meaningful(err).or(() -> meaningful(out)).or(() -> lastNonBlank(err)).map(FailureMessage::truncate)
                .orElse(null);
    }

    public static Optional<String> meaningful(String text) {
        String[] lines = text.split("\r?\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank() && !ROUTINE.matcher(lines[i]).matches()) {
                return Optional.of(lines[i].strip());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> lastNonBlank(String text) {
        String[] lines = text.split("\r?\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return Optional.of(lines[i].strip());
            }
        }
        return Optional.empty();
    }

    private static String tail(Path file) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, raf.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (raf.length() - start)];
            raf.seek(start);
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String truncate(String line) {
        return line.length() <= MAX_MESSAGE ? line : line.substring(0, MAX_MESSAGE - 3) + "...";
    }
}
