package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Hostile args, conf values, env entries and names stay inert: one array element, one property, one value. */
class PodManifestInjectionTest {
    private static final List<String> HOSTILE = List.of("; rm -rf /", "$(id)", "`id`", "a\nb", "${HOME}",
            "$$(x)", "--conf", "spark.master=local", "' \" \\");

    @Test
    void hostileArgumentsReachSparkSubmitAsSingleUnchangedElements() throws Exception {
        DriverPodObjects objects = render(DriverPodFixtures.python("inj", 1, HOSTILE), Map.of(), Map.of());
        Container driver = objects.pod().getSpec().getContainers().get(0);
        assertThat(driver.getCommand()).containsExactly("/opt/spark/bin/spark-submit");
        List<String> args = driver.getArgs();
        List<String> tail = args.subList(args.size() - HOSTILE.size(), args.size());
        Map<String, String> env = Map.of(DriverCommand.POD_IP_ENV, "10.0.0.7", "HOME", "/root", "id", "x");
        assertThat(tail.stream().map(arg -> kubeletExpand(arg, env)).toList()).isEqualTo(HOSTILE);
        assertThat(args.get(args.size() - HOSTILE.size() - 1)).isEqualTo("local:///opt/app/etl.py");
        assertThat(kubeletExpand(args.get(1), env)).isEqualTo("spark.driver.bindAddress=10.0.0.7");
    }

    @Test
    void aNewlineInAConfValueCannotAddAProperty() throws Exception {
        Map<String, String> conf = Map.of(
                "spark.foo", "x\nspark.master=local[*]\rspark.submit.deployMode=cluster",
                "spark.bar", "\\u0041 trailing\\", "spark.baz", " leading blank", "spark.qux", "a\u0000b\u2028c",
                "spark.master", "local[*]", "spark.kubernetes.driver.pod.name", "other",
                "spark.a\nspark.app.name", "evil");
        RunAssignment run = DriverPodFixtures.run("conf", 1,
                new Application(ApplicationType.PYTHON, "local:///a.py", null, List.of()), conf, Map.of());
        DriverPodObjects objects = render(run, Map.of(), Map.of());
        Properties read = new Properties();
        read.load(new StringReader(objects.configMap().getData().get(SparkDefaults.DEFAULTS_FILE)));
        assertThat(read.getProperty("spark.foo")).isEqualTo("x\nspark.master=local[*]\rspark.submit.deployMode=cluster");
        assertThat(read.getProperty("spark.bar")).isEqualTo("\\u0041 trailing\\");
        assertThat(read.getProperty("spark.baz")).isEqualTo(" leading blank");
        assertThat(read.getProperty("spark.qux")).isEqualTo("a\u0000b\u2028c");
        assertThat(read.getProperty("spark.master")).isEqualTo("k8s://https://kubernetes.default.svc");
        assertThat(read.getProperty("spark.submit.deployMode")).isEqualTo("client");
        assertThat(read.getProperty("spark.app.name")).isEqualTo("conf-a1");
        assertThat(read.getProperty("spark.kubernetes.driver.pod.name")).isEqualTo("kd-conf-a1-driver");
        assertThat(read.stringPropertyNames()).noneMatch(key -> key.contains("\n") || key.equals("spark.a"));
        for (String line : objects.configMap().getData().get(SparkDefaults.DEFAULTS_FILE).split("\n")) {
            assertThat(line).matches("#.*|[A-Za-z0-9][A-Za-z0-9._-]*=.*");
        }
    }

    @Test
    void envAndSecretsAreValuesOrReferencesNeverShellText() throws Exception {
        for (String denied : List.of("BAD NAME", "LD_PRELOAD", "SPARK_CONF_DIR", "JAVA_TOOL_OPTIONS")) {
            RunAssignment refused = DriverPodFixtures.run("env", 1, new Application(ApplicationType.PYTHON,
                    "local:///a.py", null, List.of()), Map.of(), Map.of(denied, "x"));
            assertThatThrownBy(() -> render(refused, Map.of(), Map.of())).as(denied)
                    .isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class)
                    .hasMessageContaining("environment entry");
        }
        Map<String, String> env = Map.of("GREETING", "$(STORAGE_KEY); rm -rf /");
        RunAssignment run = DriverPodFixtures.run("env", 1,
                new Application(ApplicationType.PYTHON, "local:///a.py", null, List.of()), Map.of(), env);
        DriverPodObjects objects = render(run, Map.of(), DriverPodFixtures.SECRETS);
        Map<String, EnvVar> vars = new HashMap<>();
        objects.pod().getSpec().getContainers().get(0).getEnv().forEach(v -> vars.put(v.getName(), v));
        assertThat(vars).containsOnlyKeys("SPARK_CONF_DIR", DriverCommand.POD_IP_ENV, "GREETING", "STORAGE_KEY");
        assertThat(kubeletExpand(vars.get("GREETING").getValue(), Map.of("STORAGE_KEY", "s3cr3t")))
                .isEqualTo("$(STORAGE_KEY); rm -rf /");
        assertThat(vars.get("SPARK_CONF_DIR").getValue()).isEqualTo(SparkDefaults.CONF_DIR);
        EnvVar secret = vars.get("STORAGE_KEY");
        assertThat(secret.getValue()).isNull();
        assertThat(secret.getValueFrom().getSecretKeyRef().getName()).isEqualTo("storage-account");
        assertThat(secret.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("key");
        assertThat(objects.configMap().getData().get(SparkDefaults.EXECUTOR_TEMPLATE_FILE))
                .contains("secretKeyRef").contains("storage-account").doesNotContain("s3cr3t");
        assertThat(objects.configMap().getData().get(SparkDefaults.ENV_FILE)).doesNotContain("rm -rf");
    }

    @Test
    void hostileJobIdsGiveSafeNamesAndLabels() throws Exception {
        String longId = "a".repeat(60) + "-x-";
        DriverPodObjects objects = render(DriverPodFixtures.python(longId, 3, List.of()), Map.of(), Map.of());
        Pattern dns = Pattern.compile("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");
        assertThat(List.of(objects.pod(), objects.configMap(), objects.driverService(), objects.uiService(),
                objects.ingress())).allSatisfy(o -> assertThat(o.getMetadata().getName()).matches(dns));
        assertThat(objects.pod().getMetadata().getLabels().values())
                .allSatisfy(v -> assertThat(v).matches("([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?"));
        assertThat(objects.pod().getMetadata().getAnnotations()).containsEntry(DriverPodManifests.JOB_ID, longId)
                .containsEntry(DriverPodManifests.ATTEMPT_ID, longId + "-a3");
        assertThat(objects.pod().getMetadata().getName()).endsWith("-a3-driver");
    }

    @Test
    void hostileTenantsJobNamesAndIdsStayInertInLabelsAndAnnotations() throws Exception {
        String evil = "x; rm -rf /\n$(id)";
        RunAssignment base = DriverPodFixtures.python("ok", 1, List.of());
        RunAssignment run = new RunAssignment("job\n; rm -rf /", 1, "job\n; rm -rf /-a1", "aks", evil,
                base.spec(), base.assignedAt());
        DriverPodObjects objects = render(run, Map.of(), Map.of());
        assertThat(objects.pod().getMetadata().getName()).matches("kd-[0-9a-f]{12}-a1-driver");
        assertThat(objects.pod().getMetadata().getLabels().values())
                .allSatisfy(v -> assertThat(v).matches("([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?"));
        assertThat(objects.pod().getMetadata().getAnnotations()).containsEntry(DriverPodManifests.TENANT, evil)
                .containsEntry(DriverPodManifests.ATTEMPT_ID, "job\n; rm -rf /-a1");
        Properties read = new Properties();
        read.load(new StringReader(objects.configMap().getData().get(SparkDefaults.DEFAULTS_FILE)));
        assertThat(read.getProperty("spark.app.name")).isEqualTo("job\n; rm -rf /-a1");
        assertThat(read.getProperty("spark.kindling.jobId")).isEqualTo("job\n; rm -rf /");
        assertThat(read.getProperty("spark.master")).isEqualTo("k8s://https://kubernetes.default.svc");
        assertThat(objects.configMap().getData().get(SparkDefaults.DEFAULTS_FILE).lines())
                .allSatisfy(line -> assertThat(line).matches("#.*|[A-Za-z0-9][A-Za-z0-9._-]*=.*"));
    }

    @Test
    void unusableFilesAreRefused() {
        assertThatThrownBy(() -> render(DriverPodFixtures.run("f", 1,
                new Application(ApplicationType.PYTHON, "etl.py", null, List.of()), Map.of(), Map.of()), Map.of(),
                Map.of())).isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> render(DriverPodFixtures.run("f", 1,
                new Application(ApplicationType.PYTHON, "local:///a.py", null, List.of("a\0b")), Map.of(), Map.of()),
                Map.of(), Map.of())).isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> render(DriverPodFixtures.run("f", 1,
                new Application(ApplicationType.PYTHON, "local:///a.py", null, List.of()),
                Map.of("spark.driver.memory", "lots"), Map.of()), Map.of(), Map.of()))
                .isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class).hasMessageContaining("spark.driver.memory");
    }

    @Test
    void theJobsDriverConfSizesThePod() throws Exception {
        DriverPodObjects objects = render(DriverPodFixtures.run("mem", 1,
                new Application(ApplicationType.JVM, "local:///app.jar", "com.example.Main", List.of()),
                Map.of("spark.driver.memory", "3g", "spark.driver.cores", "3"), Map.of()), Map.of(), Map.of());
        Container driver = objects.pod().getSpec().getContainers().get(0);
        assertThat(driver.getResources().getRequests().get("memory").toString()).isEqualTo("3584Mi");
        assertThat(driver.getResources().getRequests().get("cpu").toString()).isEqualTo("3");
        assertThat(driver.getArgs()).containsSequence("--class", "com.example.Main");
    }

    private static DriverPodObjects render(RunAssignment run, Map<String, String> ignored,
            Map<String, SecretKeyRef> secrets) throws io.kindling.common.pools.LaunchRefusedException {
        return new DriverPodManifests(DriverPodFixtures.pool()).render(run, secrets);
    }

    /** What the kubelet does to {@code args} and env values: {@code $$} → {@code $}, {@code $(NAME)} → its value if defined. */
    static String kubeletExpand(String value, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(value);
        int last = 0;
        while (m.find()) {
            out.append(value, last, m.start());
            if (m.group().equals("$$")) {
                out.append('$');
            } else {
                out.append(env.getOrDefault(m.group(1), m.group()));
            }
            last = m.end();
        }
        return out.append(value.substring(last)).toString();
    }
}
