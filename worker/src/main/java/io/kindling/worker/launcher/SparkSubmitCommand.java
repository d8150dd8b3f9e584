package io.kindling.worker.launcher;

import io.kindling.common.pools.PoolBackend;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a run assignment into the argv and environment of one {@code spark-submit}, in the
 * pool's deploy mode. No shell is involved: every user value is one element of the argv (or one environment
 * entry) and is never parsed, split or quoted by us or by a shell.
 *
 * <p>The worker owns some settings; a job cannot change them. Conf keys under
 * {@code spark.eventLog.} and {@code spark.kindling.}, {@code spark.app.name}, {@code spark.master}
 * and {@code spark.submit.deployMode} are ignored with a warning, as are environment entries that
 * the worker sets itself or that change how the {@code spark-submit} bash script or the dynamic
 * loader behave. A job conf key the pool's {@code confDeny} matches (or its {@code confAllow}
 * does not) refuses the launch.
 */
public final class SparkSubmitCommand {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSubmitCommand.class);

    /** The worker's environment entries a driver inherits; everything else is left out. */
    static final Set<String> INHERITED_ENV = Set.of(
            "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "HOSTNAME",
            "JAVA_HOME", "SPARK_LOCAL_IP");
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private static final Set<String> RESERVED_CONF = Set.of("spark.app.name", "spark.master", "spark.submit.deployMode");
    /** Conf the worker sets when it hands a driver its ports. */
    private static final Set<String> NETWORK_CONF = Set.of("spark.driver.host", "spark.driver.bindAddress",
            "spark.driver.port", "spark.driver.blockManager.port", "spark.ui.port");
    private static final List<String> RESERVED_CONF_PREFIXES = List.of("spark.eventLog.", "spark.kindling.");
    private static final Set<String> RESERVED_ENV = Set.of(
            "SPARK_HOME", "JAVA_HOME", "SPARK_CONF_DIR", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON",
            "PATH", PythonStderr.ENV, "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "IFS", "PS4", "CDPATH", "GLOBIGNORE");
    private static final List<String> RESERVED_ENV_PREFIXES = List.of("BASH_FUNC_", "LD_", "DYLD_");

    private static final Pattern CONF_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+#\\[\\]*-]+");
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    /** Conf keys whose values are not logged (like Spark's own spark.redaction.regex). */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(secret|password|token|access[.]?key|account[.]key|credential).*");

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
            List<String> shown = new ArrayList<>(argv.size());
            for (int i = 0; i < argv.size(); i++) {
                String arg = argv.get(i);
                int eq = arg.indexOf('=');
                boolean confValue = i > 0 && argv.get(i - 1).equals("--conf") && eq > 0;
                shown.add(quoted(confValue && SECRET_KEY.matcher(arg.substring(0, eq)).matches()
                        ? arg.substring(0, eq + 1) + "*****" : arg));
            }
            return String.join(" ", shown);
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

    /** The command for {@code run}, its event log written to {@code eventLogDir}; refused when it cannot be run. */
    Command build(RunAssignment run, Path eventLogDir) throws RefusedLaunchException {
        return build(run, eventLogDir, null);
    }

    /** As {@link #build(RunAssignment, Path)}, keeping a Python driver's stderr apart when {@code pythonStderr} is given. */
    Command build(RunAssignment run, Path eventLogDir, PythonStderr pythonStderr) throws RefusedLaunchException {
        return build(run, eventLogDir, pythonStderr, null);
    }

    /**
     * As {@link #build(RunAssignment, Path, PythonStderr)}, the driver listening on {@code ports}
     * when given (client mode with a pool {@code driverPortRange}). The pool's conf comes before the
     * job's; a job conf key the pool denies (or does not allow) refuses the launch.
     */
    Command build(RunAssignment run, Path eventLogDir, PythonStderr pythonStderr, DriverPorts ports)
            throws RefusedLaunchException {
        JobSpec spec = run.spec();
        Application app = spec.application();
        if (config.clusterMode() && app.type() == ApplicationType.PYTHON
                && config.clusterManager() == SparkSubmitConfig.ClusterManager.STANDALONE) {
            throw new RefusedLaunchException("Python applications cannot run in cluster mode on a Spark standalone cluster"
                    + " (this pool's deployMode is cluster, master " + config.master() + "); use a client-mode pool");
        }
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
        config.poolConf().forEach((key, value) -> conf(argv, key, value));
        List<String> denied = new ArrayList<>();
        spec.conf().forEach((key, value) -> {
            if (!CONF_KEY.matcher(key).matches()) {
                LOG.warn("ignoring conf key '{}': not a Spark configuration key", printable(key));
            } else if (reservedConf(key) || (ports != null && NETWORK_CONF.contains(key))) {
                LOG.warn("ignoring conf {}: the worker sets it", key);
            } else if (PoolBackend.matches(key, config.confDeny())
                    || (config.confAllow() != null && !PoolBackend.matches(key, config.confAllow()))) {
                denied.add(key);
            } else {
                conf(argv, key, value);
            }
        });
        if (!denied.isEmpty()) {
            throw new RefusedLaunchException("this pool does not let jobs set conf " + String.join(", ", denied));
        }
        if (ports != null) {
            conf(argv, "spark.driver.host", ports.host());
            if (!config.poolConf().containsKey("spark.driver.bindAddress")) {
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
        if (app.type() == ApplicationType.JVM && app.mainClass() != null) {
            argv.addAll(List.of("--class", app.mainClass()));
        }
        argv.add(primaryResource(app.file()));
        argv.addAll(app.args());
        for (String arg : argv) {
            if (arg.indexOf('\0') >= 0) {
                throw new RefusedLaunchException("an argument contains a NUL character, which no process can receive");
            }
        }
        return new Command(argv, environment(spec, pythonStderr));
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

    private Map<String, String> environment(JobSpec spec, PythonStderr pythonStderr) throws RefusedLaunchException {
        Map<String, String> env = new TreeMap<>();
        for (String key : INHERITED_ENV) {
            String value = workerEnv.get(key);
            if (value != null) {
                env.put(key, value);
            }
        }
        List<String> clusterClient = switch (config.clusterManager()) {
            case YARN -> List.of("HADOOP_CONF_DIR", "YARN_CONF_DIR", "HADOOP_HOME", "YARN_HOME");
            case KUBERNETES -> List.of("KUBECONFIG");
            default -> List.of();
        };
        clusterClient.forEach(key -> Optional.ofNullable(workerEnv.get(key)).ifPresent(v -> env.put(key, v)));
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.put("SPARK_HOME", config.sparkHome().toString());
        if (config.javaHome() != null) {
            env.put("JAVA_HOME", config.javaHome().toString());
        }
        if (spec.application().type() == ApplicationType.PYTHON && config.pysparkPython() != null) {
            env.put("PYSPARK_PYTHON", config.pysparkPython());
            env.put("PYSPARK_DRIVER_PYTHON", config.pysparkPython());
        }
        if (config.localMaster()) {
            env.putIfAbsent("SPARK_LOCAL_IP", "127.0.0.1");
        }
        for (Map.Entry<String, String> entry : spec.env().entrySet()) {
            String name = entry.getKey();
            if (!ENV_NAME.matcher(name).matches()) {
                LOG.warn("ignoring environment entry '{}': not a valid variable name", printable(name));
            } else if (reservedEnv(name)) {
                LOG.warn("ignoring environment entry {}: the worker sets it or it changes how scripts run", name);
            } else if (entry.getValue().indexOf('\0') >= 0) {
                throw new RefusedLaunchException("environment entry " + name + " contains a NUL character");
            } else {
                env.put(name, entry.getValue());
            }
        }
        for (Map.Entry<String, String> secret : SecretsDirectory.resolve(spec.secretRefs(),
                workerEnv.get(SecretsDirectory.DIR.name())).entrySet()) {
            if (reservedEnv(secret.getKey())) {
                throw new RefusedLaunchException("secret reference " + secret.getKey()
                        + " names a variable the worker sets or that changes how scripts run");
            }
            env.put(secret.getKey(), secret.getValue());
        }
        if (spec.application().type() == ApplicationType.PYTHON && pythonStderr != null) {
            String userPath = env.get("PYTHONPATH");
            env.put("PYTHONPATH", pythonStderr.hookDir().toString() + (userPath == null ? "" : ":" + userPath));
            env.put(PythonStderr.ENV, pythonStderr.stderrFile().toString());
        }
        return env;
    }

    /**
     * The main file as spark-submit gets it. Local files (an absolute path or a {@code file:} URI)
     * must exist here, since the driver runs here; other URIs ({@code local:}, {@code hdfs:},
     * {@code https:} …) are passed on as they are.
     */
    static String primaryResource(String file) throws RefusedLaunchException {
        if (file == null || file.isBlank()) {
            throw new RefusedLaunchException("the application has no file");
        }
        Path path;
        if (URI_SCHEME.matcher(file).find()) {
            if (!file.regionMatches(true, 0, "file:", 0, 5)) {
                return file;
            }
            try {
                path = Path.of(URI.create(file));
            } catch (IllegalArgumentException e) {
                throw new RefusedLaunchException("application file '" + printable(file) + "' is not a valid file: URI ("
                        + e.getMessage() + ")");
            }
        } else {
            path = Path.of(file);
            if (!path.isAbsolute()) {
                throw new RefusedLaunchException("application file must be an absolute path or a file:// URI, was '"
                        + printable(file) + "'");
            }
        }
        if (!Files.isRegularFile(path)) {
            throw new RefusedLaunchException("application file " + path + " does not exist on worker host");
        }
        return path.toString();
    }

    private static void conf(List<String> argv, String key, String value) {
        argv.add("--conf");
        argv.add(key + "=" + value);
    }

    private static void list(List<String> argv, String option, List<String> values) throws RefusedLaunchException {
        if (values.isEmpty()) {
            return;
        }
        for (String value : values) {
            if (value.isEmpty() || value.indexOf(',') >= 0) {
                throw new RefusedLaunchException(option + " entry '" + printable(value)
                        + "' is empty or contains a comma, which spark-submit would split");
            }
        }
        argv.add(option);
        argv.add(String.join(",", values));
    }

    private static boolean reservedConf(String key) {
        return RESERVED_CONF.contains(key) || RESERVED_CONF_PREFIXES.stream().anyMatch(key::startsWith);
    }

    private static boolean reservedEnv(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return RESERVED_ENV.contains(upper) || RESERVED_ENV_PREFIXES.stream().anyMatch(upper::startsWith);
    }

    /** One argv element for a log line: as it is when plain, else single-quoted with control characters escaped. */
    static String quoted(String arg) {
        if (PLAIN.matcher(arg).matches()) {
            return arg;
        }
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (c == '\'' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /** A user value made safe for one log line: control characters escaped, length capped. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 200; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.length() < 200 ? out.toString() : out + "...";
    }
}
