package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The garbage collections during a measured phase: the pauses a child JVM logged ({@code -Xlog:gc}
 * to {@link #logOption}) and the collection time of this JVM (the client, and the broker it hosts),
 * so a latency tail can be told apart from the collector's pauses.
 */
final class GcPauses {
    private static final Pattern PAUSE = Pattern.compile("Pause.* (\\d+(?:\\.\\d+)?)ms$");

    private final Path log;
    private final long logStart;
    private final long ownStartMs;
    private final long ownStartCount;

    private GcPauses(Path log) throws IOException {
        this.log = log;
        this.logStart = Files.exists(log) ? Files.size(log) : 0;
        this.ownStartMs = ownMillis();
        this.ownStartCount = ownCount();
    }

    /** The JVM option that makes a child JVM log its pauses to {@code log}. */
    static String logOption(Path log) {
        return "-Xlog:gc:file=" + log + ":uptime";
    }

    /** Starts watching: pauses logged from now on count. */
    static GcPauses since(Path log) throws IOException {
        return new GcPauses(log);
    }

    /** The pauses since {@link #since}: count, total and longest, of the child JVM and of this one. */
    ObjectNode summary() throws IOException {
        int count = 0;
        double total = 0;
        double max = 0;
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(logStart);
            byte[] rest = new byte[(int) (file.length() - logStart)];
            file.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                Matcher m = PAUSE.matcher(line.strip());
                if (m.find()) {
                    double ms = Double.parseDouble(m.group(1));
                    count++;
                    total += ms;
                    max = Math.max(max, ms);
                }
            }
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("pauses", count);
        out.put("pausedMs", Math.round(total * 10) / 10.0);
        out.put("longestPauseMs", Math.round(max * 10) / 10.0);
        out.put("clientCollections", ownCount() - ownStartCount);
        out.put("clientCollectionMs", ownMillis() - ownStartMs);
        return out;
    }

    /** This JVM's collection time so far, in ms (all its collectors). */
    static long ownMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime)
                .sum();
    }

    /** This JVM's collections so far (all its collectors). */
    static long ownCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }
}
