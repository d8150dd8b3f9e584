package io.kindling.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The temporary directories a benchmark makes: removed when it ends, unless {@code -Dkindling.bench.keepDirs=true}. */
final class BenchDirs {
    private BenchDirs() {
    }

    /** Removes {@code root} and everything under it (a missing one is fine). */
    static void delete(Path root) throws IOException {
        if (Boolean.getBoolean("kindling.bench.keepDirs") || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
