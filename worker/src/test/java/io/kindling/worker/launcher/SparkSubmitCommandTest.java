package io.kindling.worker.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkSubmitCommandTest {
    private static final SparkSubmitConfig CONFIG = new SparkSubmitConfig(Path.of("/opt/spark"),
            Path.of("/usr/lib/jvm/java-17"), "/venv/bin/python", "local[*]");
    private static final Map<String, String> WORKER_ENV = Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/k",
            "SPARK_CONF_DIR", "/etc/spark", "AWS_SECRET_ACCESS_KEY", "do-not-leak", "JAVA_HOME", "/usr/lib/jvm/25");

    @TempDir
    Path dir;
    private Path app;
    private Path eventLog;
    private final SparkSubmitCommand command = new SparkSubmitCommand(CONFIG, WORKER_ENV);

    @BeforeEach
    void files() throws Exception {
        app = Files.writeString(dir.resolve("pi.py"), "print('hi')");
        eventLog = dir.resolve("spool/job-1-a1/eventlog");
    }

    @Test
    void buildsTheClientModeCommandForAPythonApp() throws Exception {
        RunAssignment run = Runs.of("job-1", "default", new Application(ApplicationType.PYTHON, app.toString(), null,
                List.of("10")), Map.of("spark.executor.memory", "2g"), Map.of("MY_SETTING", "on"));

        SparkSubmitCommand.Command cmd = command.build(run, eventLog);

        assertThat(cmd.argv()).containsExactly(
                "/opt/spark/bin/spark-submit", "--master", "local[*]", "--deploy-mode", "client", "--name", "job-1-a1",
                "--conf", "spark.eventLog.enabled=true",
                "--conf", "spark.eventLog.dir=" + eventLog.toUri(),
                "--conf", "spark.kindling.jobId=job-1",
                "--conf", "spark.kindling.attemptId=job-1-a1",
                "--conf", "spark.executor.memory=2g",
                app.toString(), "10");
        assertThat(cmd.argv().get(10)).startsWith("spark.eventLog.dir=file:///");
        assertThat(cmd.environment()).containsEntry("SPARK_HOME", "/opt/spark")
                .containsEntry("JAVA_HOME", "/usr/lib/jvm/java-17")
                .containsEntry("PYSPARK_PYTHON", "/venv/bin/python")
                .containsEntry("PYSPARK_DRIVER_PYTHON", "/venv/bin/python")
                .containsEntry("SPARK_LOCAL_IP", "127.0.0.1")
                .containsEntry("PATH", "/usr/bin:/bin")
                .containsEntry("HOME", "/home/k")
                .containsEntry("MY_SETTING", "on")
                .doesNotContainKeys("SPARK_CONF_DIR", "AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void buildsAJvmAppWithItsClassAndDependencies() throws Exception {
        Path jar = Files.writeString(dir.resolve("app.jar"), "jar");
        RunAssignment base = Runs.of("job-2", "default", new Application(ApplicationType.JVM, "file://" + jar, "com.example.Main",
                List.of("--input", "hdfs:///in")), Map.of(), Map.of());
        RunAssignment run = new RunAssignment(base.jobId(), 1, base.attemptId(), base.pool(), base.tenant(),
                Runs.withLists(base.spec(), List.of("/deps/a.zip"), List.of("/deps/x.jar", "hdfs:///y.jar"),
                        List.of("/conf/app.conf"), List.of("/deps/env.tar.gz#env"), List.of("org.example:lib:1.0")),
                base.assignedAt());

        List<String> argv = command.build(run, eventLog).argv();

        assertThat(String.join(" ", argv)).endsWith(
                "--py-files /deps/a.zip --jars /deps/x.jar,hdfs:///y.jar --files /conf/app.conf"
                        + " --archives /deps/env.tar.gz#env --packages org.example:lib:1.0"
                        + " --class com.example.Main " + jar + " --input hdfs:///in");
        assertThat(command.build(run, eventLog).environment()).doesNotContainKey("PYSPARK_PYTHON");
    }

    @Test
    void hostileValuesAreEachOneInertArgument() throws Exception {
        List<String> hostileArgs = List.of("; rm -rf /", "$(touch /tmp/x)", "`id`", "a\nb --master yarn", "--conf",
                "spark.eventLog.enabled=false", "' \" \\ | & > /etc/passwd", "");
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("spark.driver.extraJavaOptions", "-Dx=$(touch /tmp/x); rm -rf / \n--class Evil");
        conf.put("spark.x; rm -rf /", "1");
        conf.put("spark.y\n--master", "yarn");
        conf.put("spark.eventLog.dir=/tmp/evil", "x");
        conf.put("spark.eventLog.enabled", "false");
        conf.put("spark.app.name", "evil");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SAFE", "$(touch /tmp/x); `id`\nmore");
        RunAssignment run = Runs.of("job-3", "default", new Application(ApplicationType.PYTHON, app.toString(), null,
                hostileArgs), conf, env);

        SparkSubmitCommand.Command cmd = command.build(run, eventLog);
        List<String> argv = cmd.argv();

        assertThat(argv.get(0)).isEqualTo("/opt/spark/bin/spark-submit");
        assertThat(argv).doesNotContain("sh", "bash", "-c", "/bin/sh", "/bin/bash");
        assertThat(argv.subList(argv.size() - hostileArgs.size(), argv.size())).isEqualTo(hostileArgs);
        assertThat(argv.get(argv.size() - hostileArgs.size() - 1)).isEqualTo(app.toString());
        assertThat(argv).contains("spark.driver.extraJavaOptions=-Dx=$(touch /tmp/x); rm -rf / \n--class Evil");
        List<String> confs = confValues(argv.subList(0, argv.size() - hostileArgs.size()));
        assertThat(confs).containsExactly("spark.eventLog.enabled=true", "spark.eventLog.dir=" + eventLog.toUri(),
                "spark.kindling.jobId=job-3", "spark.kindling.attemptId=job-3-a1",
                "spark.driver.extraJavaOptions=-Dx=$(touch /tmp/x); rm -rf / \n--class Evil");
        assertThat(argv.subList(0, argv.size() - hostileArgs.size())).containsOnlyOnce("--master", "--name");
        assertThat(cmd.environment()).containsEntry("SAFE", "$(touch /tmp/x); `id`\nmore");
    }

    @Test
    void refusesEnvironmentEntriesThatChangeHowProcessesStart() {
        for (String name : List.of("BASH_ENV", "LD_PRELOAD", "SPARK_CONF_DIR", "BASH_FUNC_ls%%", "A=B",
                "KINDLING_DRIVER_STDERR", "JAVA_TOOL_OPTIONS", "PYTHONPATH", "PATH")) {
            RunAssignment run = Runs.of("job-3", "default", new Application(ApplicationType.PYTHON, app.toString(), null,
                    List.of()), Map.of(), Map.of(name, "x"));
            assertThatThrownBy(() -> command.build(run, eventLog)).as(name)
                    .isInstanceOf(LaunchRefusedException.class)
                    .hasMessageContaining("environment entry");
        }
    }

    @Test
    void refusesWhatCannotBeRunHere() {
        assertThatThrownBy(() -> command.build(python("pi.py"), eventLog))
                .isInstanceOf(LaunchRefusedException.class)
                .hasMessageStartingWith("application file must be an absolute path or a file:// URI, was 'pi.py'");
        assertThatThrownBy(() -> command.build(python(dir.resolve("missing.py").toString()), eventLog))
                .hasMessage("application file " + dir.resolve("missing.py") + " does not exist on worker host");
        assertThatThrownBy(() -> command.build(python("file://" + dir.resolve("gone.py")), eventLog))
                .hasMessageContaining(dir.resolve("gone.py").toString());
        assertThatThrownBy(() -> command.build(python("file:relative.py"), eventLog))
                .hasMessageContaining("not a valid file: URI");
        assertThatThrownBy(() -> command.build(python(app.toString(), "nul\0byte"), eventLog))
                .hasMessageContaining("NUL");
    }

    @Test
    void keepsRemoteUrisAndStripsFileUris() throws Exception {
        assertThat(LaunchPolicy.primaryResource("file://" + app, true)).isEqualTo(app.toString());
        assertThat(LaunchPolicy.primaryResource(app.toUri().toString(), true)).isEqualTo(app.toString());
        assertThat(LaunchPolicy.primaryResource("hdfs://nn/apps/pi.py", true)).isEqualTo("hdfs://nn/apps/pi.py");
        assertThat(LaunchPolicy.primaryResource("local:/opt/apps/pi.py", true)).isEqualTo("local:/opt/apps/pi.py");
    }

    @Test
    void leavesTheLocalIpAloneForAClusterAndKeepsALocalDriverUiOnLoopback() throws Exception {
        SparkSubmitConfig cluster = new SparkSubmitConfig(Path.of("/opt/spark"), null, null, "spark://10.0.0.1:7077");
        assertThat(new SparkSubmitCommand(cluster, WORKER_ENV).build(python(app.toString()), eventLog).environment())
                .doesNotContainKey("SPARK_LOCAL_IP")
                .containsEntry("JAVA_HOME", "/usr/lib/jvm/25")
                .doesNotContainKey("PYSPARK_PYTHON");
        assertThat(new SparkSubmitCommand(CONFIG, Map.of("SPARK_LOCAL_IP", "10.1.1.1")).build(python(app.toString()),
                eventLog).environment()).containsEntry("SPARK_LOCAL_IP", "127.0.0.1").containsEntry("PATH",
                SparkSubmitCommand.DEFAULT_PATH);
    }

    @Test
    void refusesListEntriesThatSparkSubmitWouldSplit() {
        RunAssignment base = python(app.toString());
        RunAssignment run = new RunAssignment(base.jobId(), 1, base.attemptId(), base.pool(), base.tenant(),
                Runs.withLists(base.spec(), List.of(), List.of("/a.jar,/b.jar"), List.of(), List.of(), List.of()),
                base.assignedAt());
        assertThatThrownBy(() -> command.build(run, eventLog)).hasMessageContaining("--jars entry '/a.jar,/b.jar'");
    }

    @Test
    void redactsSecretLookingConfValuesInLogs() throws Exception {
        RunAssignment run = Runs.of("job-4", "default", new Application(ApplicationType.PYTHON, app.toString(), null,
                List.of()), Map.of("spark.hadoop.fs.azure.account.key.acct", "s3cr3t", "spark.some.password", "pw"),
                Map.of());
        String shown = command.build(run, eventLog).redacted();
        assertThat(shown).doesNotContain("s3cr3t", "=pw").contains("spark.some.password=*****");
    }

    @Test
    void logsEachArgumentOnOneLineQuotedWhenItIsNotPlain() throws Exception {
        RunAssignment run = python(app.toString(), "plain-arg", "two words", "line1\nline2", "it's");
        String shown = command.build(run, eventLog).redacted();
        assertThat(shown).doesNotContain("\n")
                .endsWith(app + " plain-arg 'two words' 'line1\\u000aline2' 'it\\'s'")
                .contains("--master local[*] ");
    }

    private static RunAssignment python(String file, String... args) {
        return Runs.python("job-9", "default", file, args);
    }

    private static List<String> confValues(List<String> argv) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < argv.size() - 1; i++) {
            if (argv.get(i).equals("--conf")) {
                values.add(argv.get(i + 1));
            }
        }
        return values;
    }

    @Test
    void pythonDriverGetsTheStderrHookOnItsPythonPath(@TempDir Path dir) throws Exception {
        Path app = Files.writeString(dir.resolve("app.py"), "print(1)");
        RunAssignment run = Runs.of("job-9", "default", new Application(ApplicationType.PYTHON, app.toString(), null,
                List.of()), Map.of(), Map.of("PYTHONUNBUFFERED", "1"));
        SparkSubmitCommand.PythonStderr hook = new SparkSubmitCommand.PythonStderr(dir.resolve("python"), dir.resolve("stderr"));

        Map<String, String> env = command.build(run, eventLog, hook).environment();

        assertThat(env).containsEntry("PYTHONPATH", dir.resolve("python").toString())
                .containsEntry("PYTHONUNBUFFERED", "1")
                .containsEntry("KINDLING_DRIVER_STDERR", dir.resolve("stderr").toString());
    }

    @Test
    void secretRefsResolveFromTheSecretsDirectoryIntoTheDriverEnvironmentOnly() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("secrets/default/db"));
        Files.writeString(secrets.resolve("password"), "s3cr3t\n");
        Map<String, String> workerEnv = new java.util.HashMap<>(WORKER_ENV);
        workerEnv.put("KINDLING_SECRETS_DIR", dir.resolve("secrets").toString());
        SparkSubmitCommand withSecrets = new SparkSubmitCommand(CONFIG, workerEnv);

        SparkSubmitCommand.Command cmd = withSecrets.build(withSecretRefs(Map.of(
                "DB_PASSWORD", new io.kindling.schemas.SecretRef("db", "password"))), eventLog);

        assertThat(cmd.environment()).containsEntry("DB_PASSWORD", "s3cr3t");
        assertThat(cmd.argv()).noneMatch(arg -> arg.contains("s3cr3t"));
        assertThat(cmd.redacted()).doesNotContain("s3cr3t");
        assertThatThrownBy(() -> withSecrets.build(withSecretRefs(Map.of(
                "TOKEN", new io.kindling.schemas.SecretRef("db", "missing"))), eventLog))
                .hasMessageContaining("TOKEN -> db/missing").hasMessageContaining("not available");
        assertThatThrownBy(() -> withSecrets.build(withSecretRefs(Map.of(
                "PATH", new io.kindling.schemas.SecretRef("db", "password"))), eventLog))
                .hasMessageContaining("PATH");
        assertThatThrownBy(() -> command.build(withSecretRefs(Map.of(
                "DB_PASSWORD", new io.kindling.schemas.SecretRef("db", "password"))), eventLog))
                .hasMessageContaining("KINDLING_SECRETS_DIR");
    }

    @Test
    void aJobReadsOnlyItsOwnTenantsSecrets() throws Exception {
        Path root = dir.resolve("secrets");
        Files.createDirectories(root.resolve("acme/db"));
        Files.writeString(root.resolve("acme/db/password"), "acme-pw");
        Files.createDirectories(root.resolve("globex/db"));
        Files.writeString(root.resolve("globex/db/password"), "globex-pw");
        Files.createDirectories(root.resolve("kindling"));
        Files.writeString(root.resolve("kindling/blob"), "SEEDED-BLOB-KEY");
        Map<String, String> workerEnv = new java.util.HashMap<>(WORKER_ENV);
        workerEnv.put("KINDLING_SECRETS_DIR", root.toString());
        SparkSubmitCommand withSecrets = new SparkSubmitCommand(CONFIG, workerEnv);
        Map<String, io.kindling.schemas.SecretRef> db = Map.of("DB_PASSWORD", new io.kindling.schemas.SecretRef("db", "password"));

        assertThat(withSecrets.build(Runs.withTenant(withSecretRefs(db), "acme"), eventLog).environment())
                .containsEntry("DB_PASSWORD", "acme-pw");
        assertThat(withSecrets.build(Runs.withTenant(withSecretRefs(db), "globex"), eventLog).environment())
                .containsEntry("DB_PASSWORD", "globex-pw");
        assertThatThrownBy(() -> withSecrets.build(Runs.withTenant(withSecretRefs(db), "initech"), eventLog))
                .isInstanceOf(LaunchRefusedException.class).hasMessageContaining("not available to tenant 'initech'")
                .hasMessageNotContaining("-pw");
        for (io.kindling.schemas.SecretRef escape : List.of(new io.kindling.schemas.SecretRef("..", "kindling/blob"),
                new io.kindling.schemas.SecretRef("../globex/db", "password"), new io.kindling.schemas.SecretRef("db", "../../globex/db/password"),
                new io.kindling.schemas.SecretRef("/abs", "x"))) {
            assertThatThrownBy(() -> withSecrets.build(Runs.withTenant(withSecretRefs(Map.of("X", escape)), "acme"),
                    eventLog)).as("%s", escape).isInstanceOf(LaunchRefusedException.class)
                    .hasMessageNotContaining("globex-pw").hasMessageNotContaining("SEEDED-BLOB-KEY");
        }
        Files.createSymbolicLink(root.resolve("acme/stolen"), root.resolve("globex/db"));
        assertThatThrownBy(() -> withSecrets.build(Runs.withTenant(withSecretRefs(Map.of("X",
                new io.kindling.schemas.SecretRef("stolen", "password"))), "acme"), eventLog))
                .hasMessageContaining("leads outside");
    }

    private RunAssignment withSecretRefs(Map<String, io.kindling.schemas.SecretRef> refs) {
        RunAssignment base = python(app.toString());
        io.kindling.schemas.JobSpec s = base.spec();
        io.kindling.schemas.JobSpec spec = new io.kindling.schemas.JobSpec(s.name(), s.pool(), s.application(), s.conf(),
                s.idempotencyKey(), s.labels(), s.pyFiles(), s.jars(), s.files(), s.archives(), s.packages(), s.env(),
                s.timeoutSeconds(), s.priority(), s.retry(), refs);
        return RunAssignment.of(base.jobId(), base.attempt(), spec, base.assignedAt());
    }
}
