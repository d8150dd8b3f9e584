package io.kindling.worker.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Spark standalone master's state as its web UI serves it ({@code GET <master ui>/json/}, Spark
 * 4.0): {@code activedrivers} and {@code completeddrivers} ({@code id}, {@code state},
 * {@code worker} (the worker's id, {@code None} until it has one), {@code mainclass}) and
 * {@code workers} ({@code id}, {@code webuiaddress}). Reads are bounded to {@value #MAX_BYTES} bytes.
 */
final class StandaloneMasterUi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BYTES = 16 * 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** A driver the master knows of. {@code worker} is null while it waits for one. */
    record Driver(String id, String state, String worker, String mainClass) {
    }

    private final HttpClient http;
    private final String webUi;

    StandaloneMasterUi(HttpClient http, String webUi) {
        this.http = http;
        this.webUi = SparkWorkerLogPage.stripSlash(webUi);
    }

    String url() {
        return webUi;
    }

    /** The master's {@code /json/}. */
    JsonNode state() throws IOException, InterruptedException {
        URI uri = URI.create(webUi + "/json/");
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new IOException("cannot reach the standalone master's web UI at " + uri + " (the pool's masterWebUi): "
                    + e, e);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_BYTES + 1);
        }
        if (response.statusCode() != 200 || body.length > MAX_BYTES) {
            throw new IOException(uri + " answered HTTP " + response.statusCode()
                    + (body.length > MAX_BYTES ? " with more than " + MAX_BYTES + " bytes" : ""));
        }
        JsonNode state = JSON.readTree(body);
        if (!state.has("workers") || !state.has("activedrivers")) {
            throw new IOException(uri + " is not a Spark standalone master's state (no workers/activedrivers)");
        }
        return state;
    }

    /** The drivers still active on the master in {@code state} (submitted, running, relaunching). */
    List<Driver> activeDrivers(JsonNode state) {
        return list(state.path("activedrivers"));
    }

    /** The driver {@code id}, active or among the completed ones the master still remembers. */
    Optional<Driver> driver(JsonNode state, String id) {
        for (String list : List.of("activedrivers", "completeddrivers")) {
            for (Driver d : list(state.path(list))) {
                if (d.id().equals(id)) {
                    return Optional.of(d);
                }
            }
        }
        return Optional.empty();
    }

    /** The web UI of worker {@code workerId} ({@code webuiaddress}). */
    static Optional<String> workerUi(JsonNode state, String workerId) {
        for (JsonNode w : state.path("workers")) {
            if (w.path("id").asText("").equals(workerId) && !w.path("webuiaddress").asText("").isEmpty()) {
                return Optional.of(w.path("webuiaddress").asText());
            }
        }
        return Optional.empty();
    }

    private static List<Driver> list(JsonNode list) {
        List<Driver> drivers = new ArrayList<>();
        for (JsonNode d : list) {
            String worker = d.path("worker").asText("");
            drivers.add(new Driver(d.path("id").asText(""), d.path("state").asText(""),
                    worker.isEmpty() || worker.equals("None") ? null : worker, d.path("mainclass").asText("")));
        }
        return drivers;
    }
}
