package io.kindling.bench;

import io.kindling.testsupport.files.DirectoryTrees;
import java.io.IOException;
import java.nio.file.Path;

/** The temporary directories a benchmark makes: removed when it ends, unless {@code -Dkindling.bench.keepDirs=true}. */
final class BenchDirs {
    private BenchDirs() {
    }

    /** Removes {@code root} and everything under it (a missing one is fine). */
    static void delete(Path root) throws IOException {
        if (!Boolean.getBoolean("kindling.bench.keepDirs")) {
            DirectoryTrees.delete(root);
        }
    }
}
