package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SecretRef;
import io.kindling.worker.Runs;
import io.kindling.worker.k8s.DriverPodManifests;
import io.kindling.worker.k8s.DriverPodPoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@link LaunchPolicy} instance, handed to both backends, refuses the same input on each with
 * the same message: spark-submit pools ({@link SparkSubmitCommand}) and Kubernetes pools
 * ({@link DriverPodManifests}) share the policy, not copies of it.
 */
class LaunchPolicyBackendsTest {
    @TempDir
    Path dir;
    private Path allowed;
    private LaunchPolicy policy;
    private SparkSubmitCommand sparkSubmit;
    private DriverPodManifests driverPods;

    @BeforeEach
    void setUp() throws Exception {
        allowed = Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(allowed.resolve("app.py"), "print(1)");
        Files.writeString(dir.resolve("outside.py"), "print(2)");
        policy = new LaunchPolicy(List.of("spark.driver.maxResultSize"), null, null, null, List.of(allowed));
        sparkSubmit = new SparkSubmitCommand(new SparkSubmitConfig(Path.of("/opt/spark"), null, null, "local[*]")
                .withPolicy(policy), Map.of("PATH", "/usr/bin:/bin"));
        driverPods = new DriverPodManifests(DriverPodPoolConfig.of("jobs", "apache/spark:4.0.1").withPolicy(policy));
    }

    @Test
    void bothBackendsRefuseWhatThePolicyRefusesWithTheSameMessage() {
        String app = allowed.resolve("app.py").toString();
        List<RunAssignment> refused = List.of(
                run(app, Map.of(), Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/tmp/evil.jar")),
                run(app, Map.of(), Map.of("SPARK_SUBMIT_OPTS", "-Dx=1")),
                run(app, Map.of(), Map.of("PYTHONSTARTUP", "/tmp/evil.py")),
                run(app, Map.of(), Map.of("LD_PRELOAD", "/tmp/evil.so")),
                run(app, Map.of("spark.kubernetes.driver.volumes.hostPath.root.mount.path", "/host"), Map.of()),
                run(app, Map.of("spark.kubernetes.executor.secrets.kindling-blob-store", "/s"), Map.of()),
                run(app, Map.of("spark.kubernetes.file.upload.path", "/tmp"), Map.of()),
                run(app, Map.of("spark.executor.extraJavaOptions", "-XX:OnOutOfMemoryError=touch /tmp/x"), Map.of()),
                run(app, Map.of("spark.driver.extraJavaOptions", "-Dspark.authenticate=false"), Map.of()),
                run(app, Map.of("spark.redaction.regex", "nothing"), Map.of()),
                run(app, Map.of("spark.admin.acls", "*"), Map.of()),
                run(app, Map.of("spark.driver.maxResultSize", "0"), Map.of()),
                run(dir.resolve("outside.py").toString(), Map.of(), Map.of()),
                run(allowed.resolve("../outside.py").toString(), Map.of(), Map.of()),
                run("file://" + allowed + "/%2e%2e/outside.py", Map.of(), Map.of()),
                Runs.withSecretRefs(run(app, Map.of(), Map.of()), Map.of("HADOOP_USER_NAME", new SecretRef("db", "user"))));
        for (RunAssignment run : refused) {
            String onSparkSubmit = refusal(() -> sparkSubmit.check(run));
            String onDriverPods = refusal(() -> driverPods.render(run, Map.of()));
            assertThat(onDriverPods).as("%s", run.spec()).isEqualTo(onSparkSubmit);
        }
    }

    @Test
    void bothBackendsLaunchWhatThePolicyAllows() throws Exception {
        RunAssignment ok = run(allowed.resolve("app.py").toString(), Map.of("spark.executor.memory", "2g",
                "spark.driver.extraJavaOptions", "-XX:+UseG1GC"), Map.of("LOG_LEVEL", "info", "PYTHONUNBUFFERED", "1"));
        sparkSubmit.check(ok);
        assertThat(sparkSubmit.build(ok, dir.resolve("eventlog")).argv()).contains("spark.executor.memory=2g");
        assertThat(driverPods.render(ok, Map.of()).configMap().getData().values())
                .anyMatch(v -> v.contains("spark.executor.memory=2g"));
    }

    @Test
    void aSymlinkInsideAnAllowedDirectoryLeadingOutIsRefusedOnSparkSubmitPools() throws Exception {
        Path link = Files.createSymbolicLink(allowed.resolve("link.py"), dir.resolve("outside.py"));
        RunAssignment run = run(link.toString(), Map.of(), Map.of());
        assertThatThrownBy(() -> sparkSubmit.check(run)).isInstanceOf(LaunchRefusedException.class)
                .hasMessageContaining("leads outside the directories this pool allows");
    }

    private interface Launching {
        void run() throws Exception;
    }

    private static String refusal(Launching launch) {
        try {
            launch.run();
        } catch (LaunchRefusedException e) {
            return e.getMessage();
        } catch (Exception e) {
            throw new AssertionError("expected a LaunchRefusedException, got " + e, e);
        }
        throw new AssertionError("expected a refusal");
    }

    private static RunAssignment run(String file, Map<String, String> conf, Map<String, String> env) {
        return Runs.of("job-p", "default", new Application(ApplicationType.PYTHON, file, null, List.of()), conf, env);
    }
}
