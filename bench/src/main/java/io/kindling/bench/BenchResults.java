package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Where a benchmark's figures go: printed, and written to {@code bench/results/<name>-<time>.json}. */
final class BenchResults {
    private BenchResults() {
    }

    /** Prints {@code json} and writes it; returns the file. */
    static Path write(String name, ObjectNode json) throws IOException {
        String text = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        System.out.println(text);
        Path results = Path.of(System.getProperty("kindling.bench.results", "bench/results"));
        Files.createDirectories(results);
        Path file = results.resolve(name + "-" + Instant.now().toString().replace(':', '-') + ".json");
        Files.writeString(file, text + "\n");
        return file;
    }
}
