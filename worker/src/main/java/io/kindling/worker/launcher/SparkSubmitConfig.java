package io.kindling.worker.launcher;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the worker runs {@code spark-submit}.
 *
 * @param sparkHome     the Spark distribution ({@code KINDLING_SPARK_HOME}); its {@code bin/spark-submit} is run
 * @param javaHome      JDK given to Spark as {@code JAVA_HOME}, or null to pass on the worker's own
 * @param pysparkPython interpreter for Python apps ({@code PYSPARK_PYTHON} and {@code PYSPARK_DRIVER_PYTHON}), or null
 * @param master        {@code --master}, e.g. {@code local[*]} or {@code spark://host:7077}
 */
public record SparkSubmitConfig(Path sparkHome, Path javaHome, String pysparkPython, String master) {
    public SparkSubmitConfig {
        Objects.requireNonNull(sparkHome, "sparkHome");
        Objects.requireNonNull(master, "master");
    }

    public Path sparkSubmit() {
        return sparkHome.resolve("bin").resolve("spark-submit");
    }

    /** True for {@code local}, {@code local[N]}, {@code local[*]}: the driver and executors share this host. */
    public boolean localMaster() {
        return master.equals("local") || master.startsWith("local[");
    }
}
