package io.kindling.testsupport.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The temporary directory trees that fixtures and benchmarks make, and remove when they are done. */
public final class DirectoryTrees {
    private DirectoryTrees() {
    }

    /** Removes {@code root} and everything under it, deepest first (a missing one is fine). */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        }
    }
}
