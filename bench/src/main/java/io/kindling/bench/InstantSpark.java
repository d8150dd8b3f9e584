package io.kindling.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A Spark home whose {@code bin/spark-submit} exits at once ({@code src/main/c/instant-spark-submit.c},
 * built next to the classes): it creates the event log the worker watches for, prints a line and
 * exits 0. A Python stand-in ({@link io.kindling.testsupport.spark.StandInSpark}) spends about
 * 20 ms of CPU starting its interpreter, which at 50 attempts/s is a core of the two.
 */
final class InstantSpark {
    private static final String BINARY = "instant-spark-submit";

    private InstantSpark() {
    }

    /** Creates the Spark home under {@code dir}; returns it. */
    static Path create(Path dir) throws IOException {
        Path home = dir.resolve("instant-spark");
        Path submit = Files.createDirectories(home.resolve("bin")).resolve("spark-submit");
        try (InputStream binary = InstantSpark.class.getResourceAsStream(BINARY)) {
            if (binary == null) {
                throw new IllegalStateException(BINARY + " is not next to the bench's classes: build the bench module "
                        + "(it compiles src/main/c with a C compiler, -Dkindling.cc=...)");
            }
            Files.copy(binary, submit);
        }
        Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }
}
