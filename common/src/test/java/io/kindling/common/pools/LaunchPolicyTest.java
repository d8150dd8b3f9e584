package io.kindling.common.pools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.SecretRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LaunchPolicyTest {
    private static final LaunchPolicy POLICY = new LaunchPolicy(null, null, null, null, List.of(Path.of("/srv/jobs")));

    @ParameterizedTest
    @ValueSource(strings = {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS", "JAVA_HOME",
            "SPARK_SUBMIT_OPTS", "SPARK_DIST_CLASSPATH", "SPARK_DRIVER_OPTS", "SPARK_EXECUTOR_OPTS",
            "SPARK_DAEMON_JAVA_OPTS", "SPARK_CLASSPATH", "SPARK_HOME", "SPARK_CONF_DIR", "SPARK_LOCAL_IP",
            "HADOOP_USER_NAME", "HADOOP_CONF_DIR", "HADOOP_PROXY_USER", "HADOOP_TOKEN_FILE_LOCATION", "YARN_CONF_DIR",
            "KUBECONFIG", "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "DYLD_INSERT_LIBRARIES", "PYTHONSTARTUP",
            "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONBREAKPOINT", "PYTHONWARNINGS", "PYSPARK_PYTHON",
            "PYSPARK_DRIVER_PYTHON", "PYSPARK_SUBMIT_ARGS", "KINDLING_AZURE_CONNECTION_STRING", "KINDLING_SECRETS_DIR",
            "KRB5CCNAME", "KRB5_CONFIG", "BASH_ENV", "ENV", "BASH_FUNC_ls%%", "SHELLOPTS", "IFS", "PS4", "PATH",
            "HOME", "CLASSPATH", "PERL5OPT", "RUBYOPT", "NODE_OPTIONS", "GCONV_PATH", "OPENSSL_CONF", "HIVE_CONF_DIR",
            "java_tool_options", "A=B", "BAD NAME", "1ST", ""})
    void refusesVariablesThatChangeHowProcessesStart(String name) {
        assertThat(POLICY.environmentProblem(name)).as(name).isPresent();
        JobSpec spec = spec("/srv/jobs/app.py", Map.of(), Map.of(name, "x"));
        assertThatThrownBy(() -> POLICY.check(spec)).isInstanceOf(LaunchRefusedException.class)
                .hasMessageContaining("environment entry")
                .satisfies(e -> assertThat(((LaunchRefusedException) e).reason())
                        .isEqualTo(LaunchRefusedException.Reason.ENVIRONMENT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"MY_SETTING", "LOG_LEVEL", "AWS_REGION", "PYTHONUNBUFFERED", "PYTHONHASHSEED",
            "PYTHONIOENCODING", "TZ", "LANG", "_private"})
    void letsJobsSetOrdinaryVariables(String name) {
        assertThat(POLICY.environmentProblem(name)).as(name).isEmpty();
    }

    @Test
    void aPoolMayAllowDeniedVariablesButNeverTheWorkersOwn() {
        LaunchPolicy open = new LaunchPolicy(null, null, null, List.of("*"), null);
        assertThat(open.environmentProblem("HADOOP_USER_NAME")).isEmpty();
        assertThat(open.environmentProblem("PYTHONWARNINGS")).isEmpty();
        for (String owned : List.of("PATH", "HOME", "JAVA_HOME", "SPARK_HOME", "SPARK_CONF_DIR", "PYSPARK_PYTHON",
                "PYTHONPATH", "HADOOP_CONF_DIR", "KUBECONFIG", "LD_PRELOAD", "KINDLING_AZURE_CONNECTION_STRING",
                "BASH_FUNC_x", "CLASSPATH")) {
            assertThat(open.environmentProblem(owned)).as(owned).hasValueSatisfying(p -> assertThat(p)
                    .contains("set by the worker"));
        }
        LaunchPolicy one = new LaunchPolicy(null, null, null, List.of("HADOOP_USER_NAME"), null);
        assertThat(one.environmentProblem("HADOOP_USER_NAME")).isEmpty();
        assertThat(one.environmentProblem("JAVA_TOOL_OPTIONS")).isPresent();
    }

    @Test
    void secretRefsFollowTheSameVariableRules() {
        JobSpec spec = new JobSpec(null, null, new Application(ApplicationType.PYTHON, "/srv/jobs/a.py", null, List.of()),
                Map.of(), null, Map.of(), null, null, null, null, null, Map.of(), null, null, null,
                Map.of("LD_PRELOAD", new SecretRef("db", "password"), "DB_PASSWORD", new SecretRef("db", "password")));
        assertThatThrownBy(() -> POLICY.check(spec)).hasMessageContaining("secret reference LD_PRELOAD")
                .hasMessageNotContaining("DB_PASSWORD");
    }

    @ParameterizedTest
    @ValueSource(strings = {"spark.kubernetes.driver.volumes.hostPath.root.mount.path",
            "spark.kubernetes.executor.volumes.hostPath.data.options.path",
            "spark.kubernetes.driver.volumes.nfs.share.options.server",
            "spark.kubernetes.driver.secrets.blob-store", "spark.kubernetes.executor.secrets.kafka",
            "spark.kubernetes.driver.secretKeyRef.KEY", "spark.kubernetes.executor.secretKeyRef.KEY",
            "spark.kubernetes.driver.podTemplateFile", "spark.kubernetes.executor.podTemplateFile",
            "spark.kubernetes.authenticate.submission.oauthTokenFile", "spark.kubernetes.file.upload.path",
            "spark.yarn.stagingDir", "spark.yarn.archive", "spark.yarn.jars", "spark.yarn.dist.files",
            "spark.jars", "spark.files", "spark.archives", "spark.submit.pyFiles", "spark.jars.ivySettings",
            "spark.driver.extraClassPath", "spark.driver.extraLibraryPath", "spark.executor.extraClassPath",
            "spark.yarn.keytab", "spark.yarn.principal", "spark.kerberos.keytab", "spark.kerberos.access.hadoopFileSystems",
            "spark.yarn.access.hadoopFileSystems", "spark.redaction.regex", "spark.redaction.string.regex",
            "spark.sql.redaction.options.regex", "spark.acls.enable", "spark.admin.acls", "spark.admin.acls.groups",
            "spark.modify.acls", "spark.ui.view.acls", "spark.ui.view.acls.groups", "spark.ui.filters",
            "spark.ui.allowFramingFrom", "spark.ui.reverseProxy", "spark.ui.reverseProxyUrl", "spark.ui.killEnabled",
            "spark.authenticate", "spark.authenticate.secret", "spark.network.crypto.enabled",
            "spark.io.encryption.enabled", "spark.ssl.enabled", "spark.ssl.ui.keyStore", "spark.history.ui.acls.enable",
            "spark.driver.resource.gpu.discoveryScript", "spark.pyspark.python", "spark.pyspark.driver.python",
            "spark.r.command", "Spark.Redaction.Regex"})
    void refusesRiskyConfUnlessThePoolAllowsIt(String key) {
        assertThat(POLICY.confProblem(key, "x")).as(key).hasValueSatisfying(p -> assertThat(p).contains("risky"));
        JobSpec spec = spec("/srv/jobs/app.py", Map.of(key, "x"), Map.of());
        assertThatThrownBy(() -> POLICY.check(spec)).hasMessageContaining(key)
                .satisfies(e -> assertThat(((LaunchRefusedException) e).reason())
                        .isEqualTo(LaunchRefusedException.Reason.CONF));
        LaunchPolicy allowing = new LaunchPolicy(null, null, List.of(key), null, null);
        assertThat(allowing.confProblem(key, "x")).as(key).isEmpty();
    }

    @Test
    void riskyPatternsOfThePoolAllowWholeFamilies() {
        LaunchPolicy allowing = new LaunchPolicy(null, null, List.of("spark.kubernetes.*.volumes.hostPath.*"), null, null);
        assertThat(allowing.confProblem("spark.kubernetes.driver.volumes.hostPath.data.mount.path", "/data")).isEmpty();
        assertThat(allowing.confProblem("spark.kubernetes.driver.secrets.blob", "/s")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-XX:OnOutOfMemoryError=\"touch /tmp/pwned\"", "-Xmx1g -XX:OnError=sh -c id",
            "-XX:onoutofmemoryerror=x", "-javaagent:/tmp/agent.jar", "-agentpath:/tmp/a.so", "-agentlib:jdwp=x",
            "-Dspark.authenticate=false", "-Dx=1 -Dspark.redaction.regex=none", "-XX:Flags=/tmp/flags",
            "-XX:VMOptionsFile=/tmp/opts", "-Xbootclasspath/a:/tmp/x.jar", "@/tmp/argfile", "-Dx=1 @/tmp/argfile"})
    void refusesJvmOptionsThatRunCodeOrBypassThePolicy(String options) {
        for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions",
                "spark.driver.defaultJavaOptions", "spark.yarn.am.extraJavaOptions")) {
            assertThat(POLICY.confProblem(key, options)).as(key + "=" + options).isPresent();
        }
    }

    @Test
    void letsOrdinaryJvmOptionsAndConfThrough() {
        assertThat(POLICY.confProblem("spark.driver.extraJavaOptions", "-Dlog4j.configuration=x -XX:+UseG1GC -Dx=$(id)"))
                .isEmpty();
        assertThat(POLICY.confProblem("spark.executor.memory", "2g")).isEmpty();
        assertThat(POLICY.confProblem("spark.sql.shuffle.partitions", "64")).isEmpty();
        assertThat(POLICY.confProblem("spark.executorEnv.LOG_LEVEL", "info")).isEmpty();
        assertThat(POLICY.confProblem("not a key", "x")).isEmpty(); // dropped by the launchers with a warning
    }

    @Test
    void confThatSetsTheEnvironmentOfOtherProcessesFollowsTheVariableRules() {
        for (String key : List.of("spark.executorEnv.LD_PRELOAD", "spark.executorEnv.JAVA_TOOL_OPTIONS",
                "spark.yarn.appMasterEnv.HADOOP_USER_NAME", "spark.kubernetes.driverEnv.PYTHONSTARTUP",
                "spark.mesos.driverEnv.SPARK_SUBMIT_OPTS")) {
            assertThat(POLICY.confProblem(key, "x")).as(key).isPresent();
        }
    }

    @Test
    void confDenyAndConfAllowStillApply() {
        LaunchPolicy pool = new LaunchPolicy(List.of("spark.driver.*"), List.of("spark.driver.*", "spark.executor.*"),
                null, null, null);
        assertThat(pool.confProblem("spark.driver.memory", "1g")).hasValue("this pool does not let jobs set conf spark.driver.memory");
        assertThat(pool.confProblem("spark.executor.memory", "1g")).isEmpty();
        assertThat(pool.confProblem("spark.sql.shuffle.partitions", "1")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "/srv/jobs/../../etc/passwd", "/srv/jobs/a/../../x.py", "/srv/jobs-evil/x.py",
            "/srv/job", "file:///etc/passwd", "file:/etc/shadow", "file:///srv/jobs/%2e%2e/secret.py",
            "/home/worker/.kindling/artifacts/abc/x.py"})
    void refusesLocalPathsOutsideTheAllowedDirectories(String path) {
        assertThat(POLICY.localPathProblem("application.file", path)).as(path)
                .hasValueSatisfying(p -> assertThat(p).contains("outside the directories this pool allows"));
        for (JobSpec spec : List.of(spec(path, Map.of(), Map.of()), withLists("/srv/jobs/ok.py", List.of(path), List.of(),
                List.of(), List.of()), withLists("/srv/jobs/ok.py", List.of(), List.of(path), List.of(), List.of()),
                withLists("/srv/jobs/ok.py", List.of(), List.of(), List.of(path + "#alias"), List.of()),
                withLists("/srv/jobs/ok.py", List.of(), List.of(), List.of(), List.of(path + "#env")))) {
            assertThatThrownBy(() -> POLICY.check(spec)).isInstanceOf(LaunchRefusedException.class)
                    .satisfies(e -> assertThat(((LaunchRefusedException) e).reason())
                            .isEqualTo(LaunchRefusedException.Reason.LOCAL_PATH));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/srv/jobs/pi.py", "/srv/jobs/lib/deps.zip", "file:///srv/jobs/pi.py", "file:/srv/jobs/x/../pi.py",
            "/srv/jobs/env.tar.gz#env", "artifact://acme/" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/x.py",
            "local:///opt/spark/examples/pi.py", "hdfs://nn/apps/pi.py", "https://repo.example.com/x.jar",
            "abfss://c@acct.dfs.core.windows.net/x.py"})
    void acceptsAllowedLocalPathsAndRemoteUris(String path) {
        assertThat(POLICY.localPathProblem("files", path)).as(path).isEmpty();
    }

    @Test
    void relativeOrBrokenLocalPathsAreRefused() {
        assertThat(POLICY.localPathProblem("application.file", "pi.py")).hasValueSatisfying(p ->
                assertThat(p).contains("absolute path"));
        assertThat(POLICY.localPathProblem("jars", "file:relative.jar")).isPresent();
        assertThat(POLICY.localPathProblem("jars", "file://otherhost/x.jar")).isPresent();
    }

    @Test
    void withoutADirectoryListLocalPathsAreUncheckedAndAnEmptyListRefusesThemAll() {
        assertThat(LaunchPolicy.defaults().localPathProblem("application.file", "/anything/x.py")).isEmpty();
        LaunchPolicy none = LaunchPolicy.defaults().withLocalPaths(List.of());
        assertThat(none.localPathProblem("application.file", "/srv/jobs/x.py")).hasValueSatisfying(p ->
                assertThat(p).contains("(none)").contains("artifact"));
        assertThat(none.localPathProblem("application.file", "hdfs://nn/x.py")).isEmpty();
    }

    @Test
    void oneRefusalNamesEveryProblem() {
        JobSpec spec = spec("/etc/passwd", Map.of("spark.ui.filters", "x", "spark.executor.memory", "1g"),
                Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/tmp/a.jar", "OK", "1"));
        assertThat(POLICY.problems(spec)).hasSize(3);
        assertThatThrownBy(() -> POLICY.check(spec)).hasMessageContaining("JAVA_TOOL_OPTIONS")
                .hasMessageContaining("spark.ui.filters").hasMessageContaining("/etc/passwd")
                .hasMessageNotContaining("-javaagent:/tmp/a.jar");
        assertThat(POLICY.problems(spec("/srv/jobs/pi.py", Map.of("spark.executor.memory", "1g"), Map.of("OK", "1"))))
                .isEmpty();
    }

    @Test
    void printsUserValuesInertlyAndRedactsSecretLookingConf() {
        assertThat(LaunchPolicy.printable("a\nb\u0000")).isEqualTo("a\\u000ab\\u0000");
        assertThat(LaunchPolicy.printable("x".repeat(500))).hasSize(203);
        assertThat(LaunchPolicy.redacted(List.of("spark-submit", "--conf", "spark.hadoop.fs.azure.sas.c.a=sv=2020&sig=abc",
                "--conf", "spark.some.password=pw", "--conf", "spark.executor.memory=1g", "two words")))
                .isEqualTo("spark-submit --conf spark.hadoop.fs.azure.sas.c.a=***** --conf spark.some.password=*****"
                        + " --conf spark.executor.memory=1g 'two words'");
    }

    @Test
    void thePoolsFileCarriesThePolicyKeys() {
        PoolsFile file = PoolsFile.parse("""
                pools:
                  shared:
                    localPaths: [/srv/jobs]
                    envAllow: [HADOOP_USER_NAME]
                    confAllowRisky: ["spark.kubernetes.*.volumes.hostPath.*"]
                    driverUiAddress: 0.0.0.0
                  aks: {backend: kubernetes, image: spark:4, confAllowRisky: ["spark.kubernetes.*.secrets.*"]}
                """, "test");
        PoolBackend shared = file.pools().get("shared").backend();
        LaunchPolicy policy = LaunchPolicy.of(shared, List.of(Path.of("/ignored")));
        assertThat(policy.localPaths()).containsExactly(Path.of("/srv/jobs"));
        assertThat(policy.environmentProblem("HADOOP_USER_NAME")).isEmpty();
        assertThat(policy.confProblem("spark.kubernetes.driver.volumes.hostPath.x.mount.path", "/x")).isEmpty();
        assertThat(shared.driverUiAddress()).isEqualTo("0.0.0.0");
        LaunchPolicy aks = LaunchPolicy.of(file.pools().get("aks").backend(), null);
        assertThat(aks.localPaths()).isNull();
        assertThat(aks.confProblem("spark.kubernetes.driver.secrets.x", "/x")).isEmpty();
        assertThat(LaunchPolicy.of(PoolBackend.defaults(), List.of(Path.of("/d"))).localPaths())
                .containsExactly(Path.of("/d"));
    }

    @Test
    void thePoolsFileRefusesImpossiblePolicyKeys() {
        assertThatThrownBy(() -> PoolsFile.parse("pools: {p: {localPaths: [relative/dir]}}", "test"))
                .hasMessageContaining("localPaths entry 'relative/dir'");
        assertThatThrownBy(() -> PoolsFile.parse("pools: {p: {localPaths: [/a/../etc]}}", "test"))
                .hasMessageContaining("localPaths");
        assertThatThrownBy(() -> PoolsFile.parse("pools: {p: {envAllow: [\"A=B\"]}}", "test"))
                .hasMessageContaining("envAllow entry");
        assertThatThrownBy(() -> PoolsFile.parse("pools: {p: {confAllowRisky: [\"spark x\"]}}", "test"))
                .hasMessageContaining("confAllowRisky entry");
        assertThatThrownBy(() -> PoolsFile.parse("pools: {p: {backend: kubernetes, image: i, driverUiAddress: 0.0.0.0}}",
                "test")).hasMessageContaining("driverUiAddress");
        assertThatThrownBy(() -> PoolsFile.parse("pools: {p: {driverUiAddress: \"evil host\"}}", "test"))
                .hasMessageContaining("driverUiAddress");
    }

    private static JobSpec spec(String file, Map<String, String> conf, Map<String, String> env) {
        return new JobSpec(null, null, new Application(ApplicationType.PYTHON, file, null, List.of()), conf, null,
                Map.of(), null, null, null, null, null, env, null, null, null);
    }

    private static JobSpec withLists(String file, List<String> pyFiles, List<String> jars, List<String> files,
            List<String> archives) {
        return new JobSpec(null, null, new Application(ApplicationType.PYTHON, file, null, List.of()), Map.of(), null,
                Map.of(), pyFiles, jars, files, archives, null, Map.of(), null, null, null);
    }
}
