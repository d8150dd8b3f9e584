package io.kindling.worker.launcher;

import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.common.pools.LaunchRefusedException.Reason;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a run assignment into the argv and environment of one {@code spark-submit}, in the
 * pool's deploy mode. No shell is involved: every user value is one element of the argv (or one environment
 * entry) and is never parsed, split or quoted by us or by a shell.
 *
 * <p>What a job may set is the pool's {@link LaunchPolicy}: {@link #check} refuses a job that sets
 * a variable, conf key or local path the policy denies (before its artifacts are fetched), and
 * {@link #build} checks its environment and conf again. The worker owns some settings; a job cannot
 * change them: conf keys under {@code spark.eventLog.} and {@code spark.kindling.},
 * {@code spark.app.name}, {@code spark.master} and {@code spark.submit.deployMode} (and the
 * driver's network keys when the worker hands it ports) are ignored with a warning. The driver's
 * environment is built from an allowlist of the worker's ({@link #INHERITED_ENV}), then the job's
 * entries, then the worker's own settings (which win), then the job's secrets.
 */
public final class SparkSubmitCommand {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSubmitCommand.class);

    /** The worker's environment entries a driver inherits; everything else is left out. */
    static final Set<String> INHERITED_ENV = Set.of(
            "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "HOSTNAME");
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    /** How the application is found again on its cluster: set by the worker only (not even by the pool). */
    private static final Set<String> CLUSTER_NAMING_CONF = Set.of("spark.yarn.tags", "spark.kubernetes.driver.pod.name");
    private static final Set<String> RESERVED_CONF = Set.of("spark.app.name", "spark.master", "spark.submit.deployMode",
            "spark.yarn.tags", "spark.kubernetes.driver.pod.name");
    /** Conf the worker sets when it hands a driver its ports. */
    private static final Set<String> NETWORK_CONF = Set.of("spark.driver.host", "spark.driver.bindAddress",
            "spark.driver.port", "spark.driver.blockManager.port", "spark.ui.port");
    private static final List<String> RESERVED_CONF_PREFIXES = List.of("spark.eventLog.", "spark.kindling.");

    private final SparkSubmitConfig config;
    private final Map<String, String> workerEnv;

    /** The argv and environment of one spark-submit. */
    public record Command(List<String> argv, Map<String, String> environment) {
        public Command {
            argv = List.copyOf(argv);
            environment = Map.copyOf(environment);
        }

        /** The argv for a log line, with the values of secret-looking conf keys hidden. */
        public String redacted() {
            return LaunchPolicy.redacted(argv);
        }
    }

    /** @param workerEnv the worker's own environment, from which a few entries are passed on */
    public SparkSubmitCommand(SparkSubmitConfig config, Map<String, String> workerEnv) {
        this.config = config;
        this.workerEnv = Map.copyOf(workerEnv);
    }

    Path sparkSubmit() {
        return config.sparkSubmit();
    }

    /**
     * Where a Python driver's own stderr goes: {@code hookDir} holds Kindling's
     * {@code sitecustomize.py}, which points the interpreter's stderr at {@code stderrFile}
     * (spark-submit would otherwise merge it into stdout).
     */
    record PythonStderr(Path hookDir, Path stderrFile) {
        static final String ENV = "KINDLING_DRIVER_STDERR";
    }

    /**
     * Refuses {@code run} as submitted (its artifact URIs not yet fetched) if the pool's policy
     * denies one of its variables, conf keys or local paths; an existing local file must also lie
     * under the allowed directories once its symbolic links are followed.
     */
    void check(RunAssignment run) throws LaunchRefusedException {
        JobSpec spec = run.spec();
        LaunchPolicy policy = config.policy();
        policy.check(spec);
        if (policy.localPaths() == null) {
            return;
        }
        List<String> values = new ArrayList<>();
        if (spec.application() != null && spec.application().file() != null) {
            values.add(spec.application().file());
        }
        values.addAll(spec.pyFiles());
        values.addAll(spec.jars());
        values.addAll(spec.files());
        values.addAll(spec.archives());
        List<Path> realDirs = policy.localPaths().stream().map(SparkSubmitCommand::real).toList();
        for (String value : values) {
            Optional<Path> path = LaunchPolicy.localPath(value);
            if (path.isPresent() && Files.exists(path.get())) {
                Path real = real(path.get());
                if (realDirs.stream().noneMatch(real::startsWith)) {
                    throw new LaunchRefusedException(Reason.LOCAL_PATH, "'" + LaunchPolicy.printable(value)
                            + "' leads outside the directories this pool allows (to " + real + ")");
                }
            }
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path.toAbsolutePath().normalize();
        }
    }

    /** The command for {@code run}, its event log written to {@code eventLogDir}; refused when it cannot be run. */
    Command build(RunAssignment run, Path eventLogDir) throws LaunchRefusedException {
        return build(run, eventLogDir, null);
    }

    /** As {@link #build(RunAssignment, Path)}, keeping a Python driver's stderr apart when {@code pythonStderr} is given. */
    Command build(RunAssignment run, Path eventLogDir, PythonStderr pythonStderr) throws LaunchRefusedException {
        return build(run, eventLogDir, pythonStderr, null);
    }

    /**
     * As {@link #build(RunAssignment, Path, PythonStderr)}, the driver listening on {@code ports}
     * when given (client mode with a pool {@code driverPortRange}). The pool's conf comes before the
     * job's; a job conf key the pool's policy denies refuses the launch.
     */
    Command build(RunAssignment run, Path eventLogDir, PythonStderr pythonStderr, DriverPorts ports)
            throws LaunchRefusedException {
        return build(run, eventLogDir, pythonStderr, ports, null);
    }

    /**
     * As {@link #build(RunAssignment, Path, PythonStderr, DriverPorts)}; a session's Spark Connect
     * server ({@link SparkConnectServer}) listens on {@code connectPort} of the loopback interface.
     * A session is always run in client mode: its launcher builds it with a client-mode configuration.
     */
    Command build(RunAssignment run, Path eventLogDir, PythonStderr pythonStderr, DriverPorts ports, Integer connectPort)
            throws LaunchRefusedException {
        JobSpec spec = run.spec();
        boolean session = SparkConnectServer.isSession(run);
        if (session && (connectPort == null || config.clusterMode())) {
            throw new IllegalStateException("a session's server runs in client mode on a port the launcher chose");
        }
        Application app = spec.application();
        if (config.clusterMode() && app.type() == ApplicationType.PYTHON
                && config.clusterManager() == SparkSubmitConfig.ClusterManager.STANDALONE) {
            throw new LaunchRefusedException(Reason.BACKEND, "Python applications cannot run in cluster mode on a Spark"
                    + " standalone cluster (this pool's deployMode is cluster, master " + config.master()
                    + "); use a client-mode pool");
        }
        config.policy().checkEnvironmentAndConf(spec);
        List<String> argv = new ArrayList<>();
        argv.add(config.sparkSubmit().toString());
        argv.addAll(List.of("--master", config.master(), "--deploy-mode", config.deployMode(), "--name", run.attemptId()));
        if (!config.clusterMode()) {
            // in cluster mode the driver runs elsewhere: a local directory means nothing there (the pool's conf may set one)
            conf(argv, "spark.eventLog.enabled", "true");
            conf(argv, "spark.eventLog.dir", eventLogDir.toAbsolutePath().toUri().toString());
        }
        if (config.standaloneCluster()) {
            conf(argv, "spark.master.rest.enabled", "true");
        }
        conf(argv, "spark.kindling.jobId", run.jobId());
        conf(argv, "spark.kindling.attemptId", run.attemptId());
        if (config.clusterManager() == SparkSubmitConfig.ClusterManager.YARN) {
            // what cancel and a later attempt's orphan check find the application by (ClusterSubmission)
            conf(argv, "spark.yarn.tags", ClusterSubmission.yarnJobTag(run.jobId()) + ","
                    + ClusterSubmission.yarnAttemptTag(run.attemptId()));
        }
        if (config.clusterManager() == SparkSubmitConfig.ClusterManager.KUBERNETES && config.clusterMode()) {
            conf(argv, "spark.kubernetes.driver.pod.name", ClusterSubmission.kubernetesDriverPod(run.attemptId()));
        }
        config.poolConf().forEach((key, value) -> {
            if (!CLUSTER_NAMING_CONF.contains(key)) {
                conf(argv, key, value);
            }
        });
        spec.conf().forEach((key, value) -> {
            if (!LaunchPolicy.isConfKey(key)) {
                LOG.warn("ignoring conf key '{}': not a Spark configuration key", LaunchPolicy.printable(key));
            } else if (reservedConf(key) || (ports != null && NETWORK_CONF.contains(key))
                    || (session && SparkConnectServer.reservedConf(key))) {
                LOG.warn("ignoring conf {}: the worker sets it", key);
            } else {
                conf(argv, key, value);
            }
        });
        DriverTrace.conf(driverEnvPrefix()).forEach((key, value) -> conf(argv, key, value));
        if (ports != null) {
            conf(argv, "spark.driver.host", ports.host());
            if (!config.poolConf().containsKey("spark.driver.bindAddress")) {
                // the RPC endpoints must be reachable from the executors; the UI follows SPARK_LOCAL_IP (environment)
                conf(argv, "spark.driver.bindAddress", "0.0.0.0");
            }
            conf(argv, "spark.driver.port", Integer.toString(ports.driver()));
            conf(argv, "spark.driver.blockManager.port", Integer.toString(ports.blockManager()));
            conf(argv, "spark.ui.port", Integer.toString(ports.ui()));
        }
        list(argv, "--py-files", spec.pyFiles());
        list(argv, "--jars", spec.jars());
        list(argv, "--files", spec.files());
        list(argv, "--archives", spec.archives());
        list(argv, "--packages", spec.packages());
        if (session) {
            conf(argv, SparkConnectServer.ADDRESS_CONF, SparkConnectServer.BINDING_ADDRESS);
            conf(argv, SparkConnectServer.PORT_CONF, Integer.toString(connectPort));
            argv.addAll(List.of("--class", SparkConnectServer.MAIN_CLASS));
        } else {
            if (app.type() == ApplicationType.JVM && app.mainClass() != null) {
                argv.addAll(List.of("--class", app.mainClass()));
            }
            argv.add(LaunchPolicy.primaryResource(app.file(), true));
            argv.addAll(app.args());
        }
        for (String arg : argv) {
            LaunchPolicy.noNul("an argument", arg);
        }
        return new Command(argv, environment(spec, pythonStderr, ports));
    }

    /** The environment of a kill command ({@code yarn application -kill}, {@code spark-submit --kill}). */
    Map<String, String> killEnvironment() {
        Map<String, String> env = new TreeMap<>();
        for (String key : List.of("PATH", "HOME", "USER", "LANG", "TZ", "TMPDIR", "JAVA_HOME", "HADOOP_HOME",
                "HADOOP_CONF_DIR", "YARN_HOME", "YARN_CONF_DIR", "KUBECONFIG", "SPARK_LOCAL_IP")) {
            String value = workerEnv.get(key);
            if (value != null) {
                env.put(key, value);
            }
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.put("SPARK_HOME", config.sparkHome().toString());
        if (config.javaHome() != null) {
            env.put("JAVA_HOME", config.javaHome().toString());
        }
        return env;
    }

    /**
     * The driver's environment: the allowlisted entries of the worker's, the job's entries, then the
     * worker's own settings (which win over the job's), then the job's secrets. Nothing else of the
     * worker's environment (its blob store key, Kafka password, {@code KINDLING_*} settings) is passed on.
     */
    private Map<String, String> environment(JobSpec spec, PythonStderr pythonStderr, DriverPorts ports)
            throws LaunchRefusedException {
        Map<String, String> env = new TreeMap<>();
        for (String key : INHERITED_ENV) {
            String value = workerEnv.get(key);
            if (value != null) {
                env.put(key, value);
            }
        }
        for (Map.Entry<String, String> entry : spec.env().entrySet()) {
            // checked by the policy in build(): only names a job may set are left
            LaunchPolicy.noNul("environment entry " + entry.getKey(), entry.getValue());
            env.put(entry.getKey(), entry.getValue());
        }
        List<String> clusterClient = switch (config.clusterManager()) {
            case YARN -> List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR", "HADOOP_HOME", "YARN_HOME");
            case KUBERNETES -> List.of("KUBECONFIG");
            default -> List.of();
        };
        clusterClient.forEach(key -> Optional.ofNullable(workerEnv.get(key)).ifPresent(v -> env.put(key, v)));
        env.put("PATH", workerEnv.getOrDefault("PATH", DEFAULT_PATH));
        env.put("SPARK_HOME", config.sparkHome().toString());
        Optional.ofNullable(config.javaHome()).map(Path::toString).or(() -> Optional.ofNullable(workerEnv.get("JAVA_HOME")))
                .ifPresent(javaHome -> env.put("JAVA_HOME", javaHome));
        if (spec.application().type() == ApplicationType.PYTHON && config.pysparkPython() != null) {
            env.put("PYSPARK_PYTHON", config.pysparkPython());
            env.put("PYSPARK_DRIVER_PYTHON", config.pysparkPython());
        }
        if (!config.clusterMode() && (config.localMaster() || ports != null)) {
            // the driver runs here and its address is set explicitly: its UI listens on the pool's driverUiAddress only
            env.put("SPARK_LOCAL_IP", config.driverUiAddress());
        } else if (workerEnv.get("SPARK_LOCAL_IP") != null) {
            env.put("SPARK_LOCAL_IP", workerEnv.get("SPARK_LOCAL_IP"));
        }
        env.putAll(DriverTrace.environment());
        String tenant = spec.tenant();
        for (Map.Entry<String, String> secret : SecretsDirectory.resolve(spec.secretRefs(), tenant,
                workerEnv.get(SecretsDirectory.DIR.name())).entrySet()) {
            env.put(secret.getKey(), secret.getValue());
        }
        if (spec.application().type() == ApplicationType.PYTHON && pythonStderr != null) {
            env.put("PYTHONPATH", pythonStderr.hookDir().toString());
            env.put(PythonStderr.ENV, pythonStderr.stderrFile().toString());
        }
        return env;
    }

    /** Where the cluster manager takes a cluster-mode driver's environment from (null: the driver runs here). */
    private String driverEnvPrefix() {
        if (!config.clusterMode()) {
            return null;
        }
        return switch (config.clusterManager()) {
            case YARN -> "spark.yarn.appMasterEnv.";
            case KUBERNETES -> "spark.kubernetes.driverEnv.";
            default -> null;
        };
    }

    private static void conf(List<String> argv, String key, String value) {
        argv.add("--conf");
        argv.add(key + "=" + value);
    }

    private static void list(List<String> argv, String option, List<String> values) throws LaunchRefusedException {
        if (values.isEmpty()) {
            return;
        }
        argv.add(option);
        argv.add(LaunchPolicy.listArgument(option, values));
    }

    private static boolean reservedConf(String key) {
        return RESERVED_CONF.contains(key) || RESERVED_CONF_PREFIXES.stream().anyMatch(key::startsWith);
    }
}
