package io.kindling.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the provisioned real parts are: the repository root, the pinned Spark (from
 * {@code ./kindling provision}), its JDK and Python. Missing tools fail the test with the
 * command that installs them; they are never silently skipped.
 */
public final class ProjectTools {
    private ProjectTools() {
    }

    public static Path projectDir() {
        String dir = System.getProperty("kindling.project.dir", System.getenv("KINDLING_PROJECT_DIR"));
        Path p = dir != null ? Path.of(dir) : Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project directory (the one holding mvnw)");
        }
        return p;
    }

    /** A standalone master and worker of the provisioned Spark on 127.0.0.1, working in {@code dir}. */
    static io.kindling.testsupport.spark.StandaloneSparkCluster standaloneCluster(Path dir) throws java.io.IOException {
        Map<String, String> env = sparkEnv();
        return io.kindling.testsupport.spark.StandaloneSparkCluster.start(Path.of(env.get("KINDLING_SPARK_HOME")),
                Path.of(env.getOrDefault("KINDLING_SPARK_JAVA_HOME", System.getProperty("java.home"))),
                Files.createDirectories(dir));
    }

    /** KINDLING_SPARK_HOME, KINDLING_SPARK_JAVA_HOME and KINDLING_PYSPARK_PYTHON for a worker. */
    static Map<String, String> sparkEnv() {
        Map<String, String> env = new HashMap<>();
        Path root = projectDir();
        String sparkHome = System.getenv("KINDLING_SPARK_HOME");
        if (sparkHome == null) {
            try (var libs = Files.list(root.resolve(".tools/spark-venv/lib"))) {
                sparkHome = libs.map(lib -> lib.resolve("site-packages/pyspark")).filter(Files::isDirectory)
                        .findFirst().map(Path::toString).orElse(null);
            } catch (java.io.IOException e) {
                sparkHome = null;
            }
        }
        if (sparkHome == null || !Files.isExecutable(Path.of(sparkHome, "bin", "spark-submit"))) {
            throw new IllegalStateException("Spark is not provisioned: run ./kindling provision (./kindling test does it)");
        }
        env.put("KINDLING_SPARK_HOME", sparkHome);
        env.put("KINDLING_WORKER_LOCAL_PATHS", root.resolve("examples").toString());
        String python = System.getenv("KINDLING_PYSPARK_PYTHON");
        env.put("KINDLING_PYSPARK_PYTHON", python != null ? python : root.resolve(".tools/spark-venv/bin/python").toString());
        String javaHome = System.getenv("KINDLING_SPARK_JAVA_HOME");
        if (javaHome == null && Files.isDirectory(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"))) {
            javaHome = "/usr/lib/jvm/java-17-openjdk-amd64";
        }
        if (javaHome != null) {
            env.put("KINDLING_SPARK_JAVA_HOME", javaHome);
        }
        return env;
    }
}
