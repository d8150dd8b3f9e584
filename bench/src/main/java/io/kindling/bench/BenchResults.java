package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Prints a benchmark's figures and writes them to {@code bench/results/<name>-<time>.json}. */
final class BenchResults {
    private BenchResults() {
    }

    /** A result object with the benchmark's name, the time and the machine. */
    static ObjectNode start(String name) {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("benchmark", name);
        json.put("time", Instant.now().toString());
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("java", Runtime.version().toString());
        return json;
    }

    static Path write(ObjectNode json) throws IOException {
        String text = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        System.out.println(text);
        Path results = Path.of(System.getProperty("kindling.bench.results", "bench/results"));
        Files.createDirectories(results);
        Path file = results.resolve(json.get("benchmark").asText() + "-" + Instant.now().toString().replace(':', '-')
                + ".json");
        Files.writeString(file, text + "\n");
        System.out.println("written to " + file);
        return file;
    }
}
