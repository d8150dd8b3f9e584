package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver container's {@code command}, {@code args} and {@code env}: spark-submit's argv as
 * array elements (no shell anywhere; the conf is in {@code spark-defaults.conf}), the job's
 * environment and its secrets as {@code secretKeyRef}s.
 *
 * <p>The kubelet expands {@code $(NAME)} in {@code args} and {@code env} values from the
 * container's environment, which would let a job argument read a secret variable. Every {@code $}
 * of user input is therefore written as {@code $$}, which the kubelet turns back into one
 * {@code $}: the process receives exactly what the job asked for.
 */
final class DriverCommand {
    private static final Logger LOG = LoggerFactory.getLogger(DriverCommand.class);
    /** The pod's IP, which the driver binds to (as Spark's own driver pods do). */
    static final String POD_IP_ENV = "KINDLING_POD_IP";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Set<String> RESERVED_ENV = Set.of(
            "SPARK_HOME", "JAVA_HOME", "SPARK_CONF_DIR", "PATH", POD_IP_ENV, "BASH_ENV", "ENV", "SHELLOPTS",
            "BASHOPTS", "IFS", "PS4", "CDPATH", "GLOBIGNORE", "HADOOP_CONF_DIR");
    private static final List<String> RESERVED_ENV_PREFIXES = List.of("BASH_FUNC_", "LD_", "SPARK_DRIVER_");

    private DriverCommand() {
    }

    /** The container's {@code command}: spark-submit itself, run without a shell in front of it. */
    static List<String> command(DriverPodPoolConfig pool) {
        return List.of(pool.sparkHome().replaceAll("/+$", "") + "/bin/spark-submit");
    }

    /** spark-submit's arguments; user values escaped for the kubelet, one element each. */
    static List<String> args(JobSpec spec) throws ManifestException {
        Application app = spec.application();
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--conf", "spark.driver.bindAddress=$(" + POD_IP_ENV + ")"));
        list(args, "--py-files", spec.pyFiles());
        list(args, "--jars", spec.jars());
        list(args, "--files", spec.files());
        list(args, "--archives", spec.archives());
        list(args, "--packages", spec.packages());
        if (app.type() == ApplicationType.JVM && app.mainClass() != null) {
            args.addAll(List.of("--class", kubeletLiteral(app.mainClass())));
        }
        args.add(kubeletLiteral(primaryResource(app.file())));
        for (String arg : app.args()) {
            args.add(kubeletLiteral(arg));
        }
        for (String arg : args) {
            if (arg.indexOf('\0') >= 0) {
                throw new ManifestException("an argument contains a NUL character, which no process can receive");
            }
        }
        return args;
    }

    /** The driver's environment: its conf dir, its pod IP, the job's entries, then its secrets. */
    static List<EnvVar> env(JobSpec spec, Map<String, SecretKeyRef> secrets) throws ManifestException {
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVarBuilder().withName("SPARK_CONF_DIR").withValue(SparkDefaults.CONF_DIR).build());
        env.add(new EnvVarBuilder().withName(POD_IP_ENV).withNewValueFrom().withNewFieldRef()
                .withFieldPath("status.podIP").endFieldRef().endValueFrom().build());
        for (Map.Entry<String, String> entry : spec.env().entrySet()) {
            if (usable(entry.getKey(), "environment entry") && !secrets.containsKey(entry.getKey())) {
                if (entry.getValue().indexOf('\0') >= 0) {
                    throw new ManifestException("environment entry " + entry.getKey() + " contains a NUL character");
                }
                env.add(new EnvVarBuilder().withName(entry.getKey()).withValue(kubeletLiteral(entry.getValue()))
                        .build());
            }
        }
        env.addAll(secretEnv(secrets));
        return env;
    }

    /** Secrets as {@code valueFrom.secretKeyRef}: the value is read by the kubelet, never by us. */
    static List<EnvVar> secretEnv(Map<String, SecretKeyRef> secrets) {
        List<EnvVar> env = new ArrayList<>();
        new java.util.TreeMap<>(secrets).forEach((name, ref) -> {
            if (usable(name, "secret reference")) {
                env.add(new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                        .withName(ref.secretName()).withKey(ref.key()).endSecretKeyRef().endValueFrom().build());
            }
        });
        return env;
    }

    /** {@code value} such that the kubelet's {@code $(VAR)} expansion gives back exactly {@code value}. */
    static String kubeletLiteral(String value) {
        return value.replace("$", "$$");
    }

    /**
     * The main file as the driver pod's spark-submit gets it: a path inside the image, or a URI
     * the driver can read ({@code local:}, {@code file:}, {@code https:}, {@code abfss:} …).
     */
    static String primaryResource(String file) throws ManifestException {
        if (file == null || file.isBlank()) {
            throw new ManifestException("the application has no file");
        }
        if (file.regionMatches(true, 0, "artifact:", 0, 9)) {
            // DriverPodArtifacts rewrites every artifact URI to its path in the pod before the argv is built
            throw new ManifestException("artifact URI '" + SparkDefaults.printable(file) + "' was not resolved to a"
                    + " path in the driver pod");
        }
        if (!URI_SCHEME.matcher(file).find() && !file.startsWith("/")) {
            throw new ManifestException("application file must be an absolute path in the image or a URI, was '"
                    + SparkDefaults.printable(file) + "'");
        }
        return file;
    }

    private static boolean usable(String name, String what) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (!ENV_NAME.matcher(name).matches()) {
            LOG.warn("ignoring {} '{}': not a valid variable name", what, SparkDefaults.printable(name));
            return false;
        }
        if (RESERVED_ENV.contains(upper) || RESERVED_ENV_PREFIXES.stream().anyMatch(upper::startsWith)) {
            LOG.warn("ignoring {} {}: the worker sets it or it changes how scripts run", what, name);
            return false;
        }
        return true;
    }

    private static void list(List<String> args, String option, List<String> values) throws ManifestException {
        if (values.isEmpty()) {
            return;
        }
        for (String value : values) {
            if (value.isEmpty() || value.indexOf(',') >= 0) {
                throw new ManifestException(option + " entry '" + SparkDefaults.printable(value)
                        + "' is empty or contains a comma, which spark-submit would split");
            }
        }
        args.add(option);
        args.add(kubeletLiteral(String.join(",", values)));
    }
}
