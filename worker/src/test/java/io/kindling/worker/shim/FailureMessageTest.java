package io.kindling.worker.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailureMessageTest {
    private static final String SPARK_ONLY_STDERR = """
            WARNING: Using incubator modules: jdk.incubator.vector
            Using Spark's default log4j profile: org/apache/spark/log4j2-defaults.properties
            26/11/21 05:52:48 INFO SparkContext: Running Spark version 4.0.5
            26/11/21 05:53:01 INFO SparkContext: Successfully stopped SparkContext

            26/11/21 05:53:02 INFO ShutdownHookManager: Deleting directory /tmp/spark-e99d8789
            """;

    @TempDir
    Path dir;

    @Test
    void prefersTheLastMeaningfulStderrLine() throws Exception {
        String stderr = """
                26/11/21 05:52:48 INFO SparkContext: Running Spark version 4.0.5
                Traceback (most recent call last):
                  File "/apps/job.py", line 3, in <module>
                    raise ValueError("boom")
                ValueError: boom
                26/11/21 05:53:01 INFO SparkContext: Successfully stopped SparkContext
                """;
        assertThat(message(stderr, "last stdout line\n")).isEqualTo("ValueError: boom");
    }

    @Test
    void looksInStdoutWhenStderrHoldsOnlySparkLogging() throws Exception {
        // a Python driver's stderr arrives in stdout (Spark's PythonRunner merges them)
        String stdout = "kindling-fail: running on Spark 4.0.5\nkindling-fail: failing on purpose with exit code 3\n";
        assertThat(message(SPARK_ONLY_STDERR, stdout)).isEqualTo("kindling-fail: failing on purpose with exit code 3");
    }

    @Test
    void skipsJavaStackFrames() throws Exception {
        String stderr = """
                Exception in thread "main" java.lang.IllegalStateException: outer
                \tat Main.main(Main.java:3)
                Caused by: java.io.IOException: disk full
                \tat Main.write(Main.java:9)
                \t... 3 more
                """;
        assertThat(message(stderr, "")).isEqualTo("Caused by: java.io.IOException: disk full");
    }

    @Test
    void fallsBackToTheLastStderrLineAndTruncates() throws Exception {
        assertThat(message(SPARK_ONLY_STDERR, "\n")).isEqualTo(
                "26/11/21 05:53:02 INFO ShutdownHookManager: Deleting directory /tmp/spark-e99d8789");
        assertThat(message("x".repeat(2000), "")).hasSize(FailureMessage.MAX_MESSAGE).endsWith("...");
        assertThat(message("\n \n", "")).isNull();
        assertThat(FailureMessage.of(dir.resolve("missing"), dir.resolve("missing too"))).isNull();
    }

    @Test
    void readsOnlyTheTailOfALargeFile() throws Exception {
        assertThat(message("early line\n".repeat(20_000) + "the end\n", "")).isEqualTo("the end");
    }

    private String message(String stderr, String stdout) throws Exception {
        return FailureMessage.of(Files.writeString(dir.resolve("stderr"), stderr),
                Files.writeString(dir.resolve("stdout"), stdout));
    }
}
