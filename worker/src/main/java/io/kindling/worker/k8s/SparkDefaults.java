package io.kindling.worker.k8s;

import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.common.pools.LaunchRefusedException.Reason;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.DriverTrace;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code spark-defaults.conf} of a driver pod: the pool's defaults, then the job's conf, then
 * the keys the worker owns (master, deploy mode, namespace, image, driver pod name and host,
 * fixed ports, executor pod template, UI proxy base, app name and id, event log). A job cannot set
 * an owned key; such keys are dropped with a warning, as are keys that are not Spark keys. Which
 * other keys a job may set is the pool's {@link LaunchPolicy}, checked before this is built.
 *
 * <p>Spark reads the file with {@link java.util.Properties#load(java.io.Reader)}, so values are
 * written with that format's escapes: a newline, a backslash or any control character in a value
 * stays inside that value and can never start another property line.
 */
final class SparkDefaults {
    private static final Logger LOG = LoggerFactory.getLogger(SparkDefaults.class);

    static final int DRIVER_PORT = 7078;
    static final int BLOCK_MANAGER_PORT = 7079;
    static final int UI_PORT = 4040;
    /** Where the ConfigMap is mounted in the driver: {@code SPARK_CONF_DIR}. */
    static final String CONF_DIR = "/opt/kindling/conf";
    static final String DEFAULTS_FILE = "spark-defaults.conf";
    static final String ENV_FILE = "spark-env.sh";
    static final String EXECUTOR_TEMPLATE_FILE = "executor-pod-template.yaml";
    static final String EXECUTOR_CONTAINER = "spark-executor";
    private static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

    private static final Set<String> OWNED = Set.of(
            "spark.master", "spark.submit.deployMode", "spark.app.name", "spark.app.id", "spark.driver.host",
            "spark.driver.bindAddress", "spark.driver.port", "spark.driver.blockManager.port", "spark.ui.port",
            "spark.ui.proxyBase", "spark.kubernetes.namespace", "spark.kubernetes.container.image",
            "spark.kubernetes.executor.podTemplateFile", "spark.kubernetes.executor.podTemplateContainerName",
            "spark.kubernetes.executor.podNamePrefix");
    private static final List<String> OWNED_PREFIXES = List.of(
            "spark.eventLog.", "spark.kindling.", "spark.kubernetes.driver.", "spark.kubernetes.authenticate.");
    private static final Pattern MEMORY = Pattern.compile("([0-9]+)\\s*([a-z]*)");

    private SparkDefaults() {
    }

    /** The conf of the attempt's driver, sorted by key. */
    static Map<String, String> conf(RunAssignment run, DriverPodPoolConfig pool, DriverPodNames names,
            String proxyBase) {
        Map<String, String> conf = new TreeMap<>();
        userConf(pool.sparkConf(), "pool", conf);
        userConf(run.spec().conf(), "job", conf);
        conf.putIfAbsent("spark.driver.cores", Integer.toString(pool.driver().cores()));
        conf.putIfAbsent("spark.driver.memory", pool.driver().memoryMib() + "m");
        conf.putIfAbsent("spark.executor.cores", Integer.toString(pool.executor().cores()));
        conf.putIfAbsent("spark.executor.memory", pool.executor().memoryMib() + "m");
        conf.putIfAbsent("spark.executor.memoryOverhead", pool.executor().overheadMib() + "m");
        if (!pool.imagePullSecrets().isEmpty()) {
            conf.putIfAbsent("spark.kubernetes.container.image.pullSecrets", String.join(",", pool.imagePullSecrets()));
        }
        if (pool.imagePullPolicy() != null) {
            conf.putIfAbsent("spark.kubernetes.container.image.pullPolicy", pool.imagePullPolicy());
        }
        conf.put("spark.master", "k8s://https://kubernetes.default.svc");
        conf.put("spark.submit.deployMode", "client");
        conf.put("spark.app.name", run.attemptId());
        conf.put("spark.app.id", names.base());
        conf.put("spark.kubernetes.namespace", pool.namespace());
        conf.put("spark.kubernetes.container.image", pool.image());
        conf.put("spark.kubernetes.driver.pod.name", names.driverPod());
        conf.put("spark.kubernetes.executor.podNamePrefix", names.base());
        conf.put("spark.kubernetes.executor.podTemplateFile", CONF_DIR + "/" + EXECUTOR_TEMPLATE_FILE);
        conf.put("spark.kubernetes.executor.podTemplateContainerName", EXECUTOR_CONTAINER);
        conf.put("spark.kubernetes.authenticate.caCertFile", SERVICE_ACCOUNT_DIR + "/ca.crt");
        conf.put("spark.kubernetes.authenticate.oauthTokenFile", SERVICE_ACCOUNT_DIR + "/token");
        conf.put("spark.driver.host", names.driverHost(pool.namespace()));
        conf.put("spark.driver.port", Integer.toString(DRIVER_PORT));
        conf.put("spark.driver.blockManager.port", Integer.toString(BLOCK_MANAGER_PORT));
        conf.put("spark.ui.port", Integer.toString(UI_PORT));
        if (proxyBase != null) {
            conf.put("spark.ui.proxyBase", proxyBase);
        }
        conf.put("spark.eventLog.enabled", "true");
        conf.put("spark.eventLog.dir", pool.eventLogDir());
        conf.put("spark.kindling.jobId", run.jobId());
        conf.put("spark.kindling.attemptId", run.attemptId());
        conf.putAll(DriverTrace.conf(null)); // the driver runs in client mode in its pod: its env comes from the pod spec
        return conf;
    }

    /** The conf as a properties file Spark reads back to exactly {@code conf}. */
    static String render(String attemptId, Map<String, String> conf) {
        StringBuilder out = new StringBuilder("# written by Kindling for attempt ").append(escape(attemptId))
                .append("; read with java.util.Properties\n");
        new TreeMap<>(conf).forEach((key, value) -> out.append(key).append('=').append(escape(value)).append('\n'));
        return out.toString();
    }

    /** {@code spark-env.sh} is sourced by spark-submit's shell script: it holds no user input, ever. */
    static String envScript() {
        return """
                # written by Kindling. spark-submit sources this file with bash: it must never hold user input.
                # The driver's environment comes from the pod spec (env, secretKeyRef), not from here.
                """;
    }

    /** Heap plus overhead of the driver, MiB: from the job's conf when it sets them, else the pool's. */
    static int driverPodMemoryMib(Map<String, String> conf, DriverPodPoolConfig.Resources defaults)
            throws LaunchRefusedException {
        int heap = mebibytes("spark.driver.memory", conf.get("spark.driver.memory"), defaults.memoryMib());
        int overhead = mebibytes("spark.driver.memoryOverhead", conf.get("spark.driver.memoryOverhead"),
                defaults.overheadMib());
        return heap + overhead;
    }

    static int driverCores(Map<String, String> conf, DriverPodPoolConfig.Resources defaults) throws LaunchRefusedException {
        String value = conf.get("spark.driver.cores");
        if (value == null) {
            return defaults.cores();
        }
        try {
            int cores = Integer.parseInt(value.trim());
            if (cores >= 1) {
                return cores;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new LaunchRefusedException(Reason.CONF, "spark.driver.cores must be a whole number >= 1, was '" + printable(value) + "'");
    }

    /** A Spark memory size ({@code 512m}, {@code 2g}, a bare number of MiB) in MiB. */
    static int mebibytes(String key, String value, int fallback) throws LaunchRefusedException {
        if (value == null) {
            return fallback;
        }
        Matcher m = MEMORY.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1).length() > 12 ? "-1" : m.group(1));
            long mib = switch (m.group(2)) {
                case "b" -> n / (1024 * 1024);
                case "k", "kb" -> n / 1024;
                case "", "m", "mb" -> n;
                case "g", "gb" -> n * 1024;
                case "t", "tb" -> n * 1024 * 1024;
                default -> -1;
            };
            if (mib > 0 && mib <= Integer.MAX_VALUE) {
                return (int) mib;
            }
        }
        throw new LaunchRefusedException(Reason.CONF, key + " is not a memory size such as 512m or 4g: '" + printable(value) + "'");
    }

    private static void userConf(Map<String, String> from, String source, Map<String, String> into) {
        from.forEach((key, value) -> {
            if (!LaunchPolicy.isConfKey(key)) {
                LOG.warn("ignoring {} conf key '{}': not a Spark configuration key", source, printable(key));
            } else if (owned(key)) {
                LOG.warn("ignoring {} conf {}: the worker sets it", source, key);
            } else {
                into.put(key, value);
            }
        });
    }

    static boolean owned(String key) {
        return OWNED.contains(key) || OWNED_PREFIXES.stream().anyMatch(key::startsWith);
    }

    /** A value in {@link java.util.Properties} syntax: backslashes, control characters and a leading blank escaped. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c == ' ' && i == 0) {
                out.append("\\ ");
            } else if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static String printable(String value) {
        return LaunchPolicy.printable(value);
    }
}
