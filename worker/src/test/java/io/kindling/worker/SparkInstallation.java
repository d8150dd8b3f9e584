package io.kindling.worker;

import io.kindling.worker.launcher.SparkSubmitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Spark that integration tests run: {@code KINDLING_SPARK_HOME}, {@code KINDLING_SPARK_JAVA_HOME}
 * and {@code KINDLING_PYSPARK_PYTHON} when set, else what {@code ./kindling provision} puts in
 * {@code .tools/spark-venv} (pyspark's bundled Spark, on Java 17). Missing Spark fails the test:
 * it is never skipped.
 *
 * @param projectDir the repository root (holds {@code mvnw} and {@code examples/})
 */
public record SparkInstallation(Path projectDir, Path sparkHome, Path javaHome, Path python) {
    private static final Path DEFAULT_JAVA_HOME = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

    public static SparkInstallation find() {
        Path project = findProjectDir();
        Path venv = project.resolve(".tools/spark-venv");
        Path sparkHome = env("KINDLING_SPARK_HOME").map(Path::of).orElseGet(() -> bundledSpark(venv));
        Path javaHome = env("KINDLING_SPARK_JAVA_HOME").map(Path::of).orElse(DEFAULT_JAVA_HOME);
        Path python = env("KINDLING_PYSPARK_PYTHON").map(Path::of).orElse(venv.resolve("bin/python"));
        require(Files.isExecutable(sparkHome.resolve("bin/spark-submit")), "no spark-submit in " + sparkHome);
        require(Files.isExecutable(javaHome.resolve("bin/java")), "no Java for Spark at " + javaHome);
        require(Files.isExecutable(python), "no Python for PySpark at " + python);
        return new SparkInstallation(project, sparkHome, javaHome, python);
    }

    public SparkSubmitConfig config(String master) {
        return new SparkSubmitConfig(sparkHome, javaHome, python.toString(), master);
    }

    public Path example(String name) {
        Path file = projectDir.resolve("examples").resolve(name);
        require(Files.isRegularFile(file), "missing example " + file);
        return file;
    }

    /** {@code kindling.project.dir}, else {@code KINDLING_PROJECT_DIR}, else the nearest directory up holding {@code mvnw}. */
    public static Path findProjectDir() {
        String configured = System.getProperty("kindling.project.dir", System.getenv("KINDLING_PROJECT_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the project directory (no mvnw above " + System.getProperty("user.dir")
                + "); set -Dkindling.project.dir");
    }

    private static Path bundledSpark(Path venv) {
        try (Stream<Path> pythons = Files.list(venv.resolve("lib"))) {
            return pythons.filter(p -> p.getFileName().toString().startsWith("python3"))
                    .map(p -> p.resolve("site-packages/pyspark"))
                    .filter(Files::isDirectory)
                    .max(Comparator.naturalOrder())
                    .orElse(venv.resolve("lib/python3.11/site-packages/pyspark"));
        } catch (IOException e) {
            return venv.resolve("lib/python3.11/site-packages/pyspark");
        }
    }

    private static Optional<String> env(String key) {
        return Optional.ofNullable(System.getenv(key)).filter(v -> !v.isBlank());
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new AssertionError("Spark is not provisioned: " + problem + ". Run ./kindling provision"
                    + " (or set KINDLING_SPARK_HOME, KINDLING_SPARK_JAVA_HOME, KINDLING_PYSPARK_PYTHON).");
        }
    }
}
