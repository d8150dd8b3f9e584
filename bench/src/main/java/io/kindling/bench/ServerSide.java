package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the api saw of a measured phase, beside what the client measured: its own timer of an
 * operation ({@code kindling.http.server.requests}: how many took longer than a bound, the
 * longest) and the bytes it read from storage ({@code /proc/<pid>/io}), so a latency tail can be
 * placed in the api's work, its disk reads, or outside it (waiting for a CPU, the client).
 */
final class ServerSide {
    private static final Pattern LINE = Pattern.compile(
            "kindling_http_server_requests_seconds_(bucket|count|max)\\{(.*)} (\\S+)");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private ServerSide() {
    }

    /** Bytes the process has read from storage so far (page cache hits are not counted); -1 if unknown. */
    static long readBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (line.startsWith("read_bytes:")) {
                    return Long.parseLong(line.substring("read_bytes:".length()).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The api's timer of {@code operation}: requests, how many over {@code boundMs} (bucket precision), the longest. */
    static ObjectNode timer(HttpClient http, String metricsBase, String operation, double boundMs) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(metricsBase + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double count = 0;
        double max = 0;
        double underLe = -1;
        double under = 0;
        for (String line : body.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || !m.group(2).contains("operation=\"" + operation + "\"")) {
                continue;
            }
            double value = Double.parseDouble(m.group(3));
            switch (m.group(1)) {
                case "count" -> count += value;
                case "max" -> max = Math.max(max, value);
                default -> {
                    Matcher le = LE.matcher(m.group(2));
                    if (le.find() && !le.group(1).equals("+Inf")) {
                        double bound = Double.parseDouble(le.group(1));
                        if (bound <= boundMs / 1000 && bound >= underLe) {
                            under = bound > underLe ? value : under + value;
                            underLe = bound;
                        }
                    }
                }
            }
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("requests", (long) count);
        out.put("overBoundMs", Math.round(underLe * 1e4) / 10.0);
        out.put("over", (long) (count - under));
        out.put("longestMs", Math.round(max * 1e4) / 10.0);
        return out;
    }
}
