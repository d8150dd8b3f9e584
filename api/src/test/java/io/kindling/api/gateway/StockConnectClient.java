package io.kindling.api.gateway;

import io.kindling.testsupport.spark.ConnectClient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A stock PySpark Spark Connect client ({@code tools/spark-connect/query.py} in the
 * {@code KINDLING_CONNECT_PYTHON} venv) trusting {@code caFile}: runs
 * {@code spark.range(1000).selectExpr("sum(id)")} against a connect URL and returns what it printed
 * ({@code result 499500}, or {@code error <reason>}). test-support's {@link ConnectClient} from this
 * module's project directory.
 */
public final class StockConnectClient {
    private final ConnectClient client;

    public StockConnectClient(Path caFile, Path workDir) {
        this.client = new ConnectClient(projectDir(), caFile, workDir);
    }

    public String query(String url) throws IOException, InterruptedException {
        return client.query(url);
    }

    /** The repository's root: {@code kindling.project.dir}, {@code KINDLING_PROJECT_DIR}, else the module's parent. */
    public static Path projectDir() {
        String configured = System.getProperty("kindling.project.dir", System.getenv("KINDLING_PROJECT_DIR"));
        return configured == null || configured.isBlank() ? Path.of("..").toAbsolutePath().normalize()
                : Path.of(configured).toAbsolutePath().normalize();
    }
}
