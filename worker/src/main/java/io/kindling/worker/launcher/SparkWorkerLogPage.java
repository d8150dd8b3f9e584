package io.kindling.worker.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw log endpoint of a Spark standalone worker's web UI, which serves the files of a
 * cluster-mode driver's directory in the worker's work dir (Spark's {@code LogPage.renderLog}):
 * {@code GET <worker ui>/log/?driverId=<id>&logType=stdout|stderr&offset=<o>&byteLength=<n>}
 * answers {@code ==== Bytes <start>-<end> of <length> of <path> ====\n} and then those bytes of
 * the log (rolled-over files included), decoded and re-encoded as UTF-8 by the worker. A driver
 * the worker does not know is answered {@code Bytes 0-0 of 0} and an {@code Error: ...} line.
 * Every read is bounded: at most {@link #MAX_CHUNK} bytes are asked for and the body is cut off
 * past three times that (UTF-8 replacement characters can triple a byte).
 */
final class SparkWorkerLogPage {
    static final int MAX_CHUNK = 256 * 1024;
    private static final Pattern HEADER = Pattern.compile("==== Bytes (\\d+)-(\\d+) of (\\d+) of (.*) ====");
    private static final int MAX_HEADER = 8192;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http;

    SparkWorkerLogPage(HttpClient http) {
        this.http = http;
    }

    /**
     * Bytes {@code start..end} of a log that has {@code length} bytes now; {@code text} is what the
     * worker sent for them (its length differs from {@code end - start} only where the log is not
     * valid UTF-8 or the range cuts a character in two).
     */
    record Chunk(long start, long end, long length, byte[] text) {
        /** True when the log has nothing past this chunk yet. */
        boolean atEnd() {
            return end >= length;
        }
    }

    /** Reads up to {@code byteLength} bytes of driver {@code driverId}'s {@code logType} from {@code offset}. */
    Chunk read(String workerUi, String driverId, String logType, long offset, int byteLength)
            throws IOException, InterruptedException {
        int length = Math.min(byteLength, MAX_CHUNK);
        URI uri = URI.create(stripSlash(workerUi) + "/log/?driverId=" + URLEncoder.encode(driverId, StandardCharsets.UTF_8)
                + "&logType=" + logType + "&offset=" + offset + "&byteLength=" + length);
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_HEADER + 3 * length + 1);
        }
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered HTTP " + response.statusCode());
        }
        if (body.length > MAX_HEADER + 3 * length) {
            throw new IOException(uri + " sent more than was asked for");
        }
        return parse(body, uri);
    }

    /** The chunk in a {@code /log/} answer; an IOException naming the worker's own error when there is one. */
    static Chunk parse(byte[] body, Object source) throws IOException {
        int newline = indexOf(body, (byte) '\n', 0, Math.min(body.length, MAX_HEADER));
        Matcher m = newline < 0 ? null
                : HEADER.matcher(new String(body, 0, newline, StandardCharsets.UTF_8));
        if (m == null || !m.matches()) {
            throw new IOException(source + " is not a Spark worker's log page (no '==== Bytes ...' line)");
        }
        long start = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        long length = Long.parseLong(m.group(3));
        byte[] text = java.util.Arrays.copyOfRange(body, newline + 1, body.length);
        if (end == start && text.length > 0) {
            throw new IOException("the Spark worker answered: " + new String(text, StandardCharsets.UTF_8).strip());
        }
        if (start > end || end > length) {
            throw new IOException(source + " sent an impossible range " + start + "-" + end + " of " + length);
        }
        return new Chunk(start, end, length, text);
    }

    /**
     * How many bytes of {@code chunk.text()} to keep now: through its last newline, so that a line
     * cut by the end of the range (or a character cut in two) is read again whole the next time;
     * all of it when {@code drain} (the driver has ended) or when a full chunk holds no newline
     * (a line longer than a chunk).
     */
    static int usable(Chunk chunk, int asked, boolean drain) {
        byte[] text = chunk.text();
        if (drain) {
            return text.length;
        }
        int last = lastIndexOf(text, (byte) '\n');
        if (last >= 0) {
            return last + 1;
        }
        return chunk.end() - chunk.start() >= asked ? text.length : 0;
    }

    /**
     * The log offset after the first {@code used} bytes of {@code chunk}: exact when the text is the
     * log's own bytes (valid UTF-8), the chunk's end when all of it is used.
     */
    static long offsetAfter(Chunk chunk, int used) {
        if (used >= chunk.text().length) {
            return chunk.end();
        }
        return Math.min(chunk.end(), chunk.start() + used);
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] bytes, byte b) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
