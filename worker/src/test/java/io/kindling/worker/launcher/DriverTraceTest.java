package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.PoolsFile;
import io.kindling.common.tracing.TraceContext;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.Runs;
import io.opentelemetry.context.Scope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver gets the launch's trace context in its environment and conf, whatever the pool lets jobs set. */
class DriverTraceTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final Map<String, String> WORKER_ENV = Map.of("PATH", "/usr/bin:/bin");

    @TempDir
    Path dir;

    private RunAssignment run() throws Exception {
        Path app = Files.writeString(dir.resolve("pi.py"), "print('hi')");
        return Runs.of("job-1", "default", new Application(ApplicationType.PYTHON, app.toString(), null, List.of()),
                Map.of("spark.executor.memory", "2g"), Map.of());
    }

    private static SparkSubmitCommand.Command underTrace(SparkSubmitCommand command, RunAssignment run,
            Map<String, String> carrier) throws Exception {
        try (Scope scope = TraceContext.extract(carrier).makeCurrent()) {
            return command.build(run, Path.of("/tmp/eventlog"));
        }
    }

    @Test
    void aClientModeDriverGetsTraceparentInItsEnvironmentAndConfEvenWhereThePoolAllowsNoSuchKey() throws Exception {
        // the pool lets jobs set one conf key and no risky variable: the worker's own trace entries pass all the same
        LaunchPolicy strict = new LaunchPolicy(List.of(), List.of("spark.executor.memory"), List.of(), List.of(), null);
        SparkSubmitCommand command = new SparkSubmitCommand(new SparkSubmitConfig(Path.of("/opt/spark"), null, null,
                "local[*]").withPolicy(strict), WORKER_ENV);

        SparkSubmitCommand.Command cmd = underTrace(command, run(), Map.of("traceparent", TRACEPARENT,
                "tracestate", "vendor=1"));

        assertThat(cmd.environment()).containsEntry("TRACEPARENT", TRACEPARENT).containsEntry("TRACESTATE", "vendor=1");
        assertThat(cmd.argv()).contains("spark.kindling.traceparent=" + TRACEPARENT,
                "spark.kindling.tracestate=vendor=1", "spark.executorEnv.TRACEPARENT=" + TRACEPARENT);
        assertThat(String.join(" ", cmd.argv())).doesNotContain("appMasterEnv").doesNotContain("driverEnv");
    }

    @Test
    void aClusterModeDriverGetsItThroughItsClusterManager() throws Exception {
        SparkSubmitConfig yarn = new SparkSubmitConfig(Path.of("/opt/spark"), null, null, "local[*]").withPool(
                PoolsFile.parse("pools:\n  p: {master: yarn, deployMode: cluster}\n", "test").pools().get("p").backend());
        SparkSubmitCommand.Command cmd = underTrace(new SparkSubmitCommand(yarn, WORKER_ENV),
                Runs.of("job-2", "p", new Application(ApplicationType.JVM, "hdfs:///app.jar", "org.Main", List.of()),
                        Map.of(), Map.of()), Map.of("traceparent", TRACEPARENT));
        assertThat(cmd.argv()).contains("spark.yarn.appMasterEnv.TRACEPARENT=" + TRACEPARENT);
    }

    @Test
    void withoutATraceNothingIsAdded() throws Exception {
        SparkSubmitCommand.Command cmd = new SparkSubmitCommand(new SparkSubmitConfig(Path.of("/opt/spark"), null, null,
                "local[*]"), WORKER_ENV).build(run(), Path.of("/tmp/eventlog"));
        assertThat(cmd.environment()).doesNotContainKeys("TRACEPARENT", "TRACESTATE");
        assertThat(String.join(" ", cmd.argv())).doesNotContainIgnoringCase("trace");
    }
}
