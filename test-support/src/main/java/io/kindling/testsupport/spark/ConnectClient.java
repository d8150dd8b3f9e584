package io.kindling.testsupport.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A stock PySpark Spark Connect client ({@code tools/spark-connect/query.py} run by the
 * {@code .tools/connect-venv} Python, or {@code KINDLING_CONNECT_PYTHON}) that trusts one CA file
 * and knows only the URL it is given: it prints {@code result 499500} or {@code error <reason>}.
 */
public final class ConnectClient {
    private final Path projectDir;
    private final Path caFile;
    private final Path workDir;

    /** @param workDir where the client's output files go */
    public ConnectClient(Path projectDir, Path caFile, Path workDir) {
        this.projectDir = projectDir;
        this.caFile = caFile;
        this.workDir = workDir;
    }

    /** Runs {@code spark.range(1000).selectExpr("sum(id)")} against {@code url}; returns what the client printed. */
    public String query(String url) throws IOException, InterruptedException {
        Path python = Optional.ofNullable(System.getenv("KINDLING_CONNECT_PYTHON")).map(Path::of)
                .orElse(projectDir.resolve(".tools/connect-venv/bin/python"));
        if (!Files.isExecutable(python)) {
            throw new IllegalStateException("the Spark Connect client venv is missing (" + python
                    + "): run ./kindling provision (./kindling test does it)");
        }
        Path out = Files.createTempFile(workDir, "query", ".out");
        ProcessBuilder builder = new ProcessBuilder(python.toString(),
                projectDir.resolve("tools/spark-connect/query.py").toString(), url)
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
}
