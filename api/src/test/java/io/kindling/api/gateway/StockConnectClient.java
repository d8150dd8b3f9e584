package io.kindling.api.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A stock PySpark Spark Connect client ({@code tools/spark-connect/query.py} in the
 * {@code KINDLING_CONNECT_PYTHON} venv) trusting {@code caFile}: runs
 * {@code spark.range(1000).selectExpr("sum(id)")} against a connect URL and returns what it printed
 * ({@code result 499500}, or {@code error <reason>}).
 */
public final class StockConnectClient {
    private final Path caFile;
    private final Path workDir;

    public StockConnectClient(Path caFile, Path workDir) {
        this.caFile = caFile;
        this.workDir = workDir;
    }

    public String query(String url) throws IOException, InterruptedException {
        Path project = projectDir();
        Path python = Optional.ofNullable(System.getenv("KINDLING_CONNECT_PYTHON")).map(Path::of)
                .orElse(project.resolve(".tools/connect-venv/bin/python"));
        assertThat(python).as("the Spark Connect client venv (./kindling provision)").isExecutable();
        Path out = Files.createTempFile(workDir, "query", ".out");
        ProcessBuilder builder = new ProcessBuilder(python.toString(), project.resolve("tools/spark-connect/query.py").toString(), url)
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", caFile.toString());
        builder.environment().remove("SPARK_HOME");
        builder.environment().remove("SPARK_REMOTE");
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the PySpark client did not finish: " + Files.readString(out));
        }
        return Files.readString(out);
    }

    /** The repository's root: {@code kindling.project.dir}, {@code KINDLING_PROJECT_DIR}, else the module's parent. */
    public static Path projectDir() {
        String configured = System.getProperty("kindling.project.dir", System.getenv("KINDLING_PROJECT_DIR"));
        return configured == null || configured.isBlank() ? Path.of("..").toAbsolutePath().normalize()
                : Path.of(configured).toAbsolutePath().normalize();
    }
}
