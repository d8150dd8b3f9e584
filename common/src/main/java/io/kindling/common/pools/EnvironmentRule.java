package io.kindling.common.pools;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link LaunchPolicy}'s environment rule: which variables a job may set (its {@code env}, its
 * {@code secretRefs}, and {@code spark.executorEnv.*} and the like through {@link ConfRule}).
 */
final class EnvironmentRule {
    /** Python variables that change nothing about what code is loaded. */
    private static final Set<String> HARMLESS_PYTHON = Set.of("PYTHONUNBUFFERED", "PYTHONHASHSEED", "PYTHONIOENCODING",
            "PYTHONUTF8", "PYTHONDONTWRITEBYTECODE", "PYTHONFAULTHANDLER");
    /** Variables a job may not set: they change how a process, a shell or the loader starts. */
    private static final Set<String> DENIED_ENV = Set.of(
            "CLASSPATH", "PATH", "HOME", "KUBECONFIG", "IFS", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "PS4",
            "CDPATH", "GLOBIGNORE", "PROMPT_COMMAND", "PERL5OPT", "PERL5LIB", "PERLLIB", "RUBYOPT", "RUBYLIB",
            "NODE_OPTIONS", "GCONV_PATH", "GETCONF_DIR", "LOCPATH", "NLSPATH", "HOSTALIASES", "RESOLV_HOST_CONF",
            "OPENSSL_CONF", "OPENSSL_ENGINES", "HIVE_CONF_DIR", "R_PROFILE", "R_PROFILE_USER", "R_ENVIRON",
            "R_ENVIRON_USER", "R_LIBS", "R_LIBS_USER");
    private static final List<String> DENIED_ENV_PREFIXES = List.of("JAVA_", "JDK_", "_JAVA_", "SPARK_", "HADOOP_",
            "YARN_", "PYSPARK_", "PYTHON", "KINDLING_", "KRB5", "LD_", "DYLD_", "BASH_FUNC_");
    /** Variables the worker sets (or must keep): no pool can let a job set them. */
    private static final Set<String> WORKER_ENV = Set.of("PATH", "HOME", "JAVA_HOME", "SPARK_HOME", "SPARK_CONF_DIR",
            "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "PYTHONPATH", "HADOOP_CONF_DIR", "YARN_CONF_DIR", "KUBECONFIG",
            "SPARK_LOCAL_IP", "CLASSPATH");
    private static final List<String> WORKER_ENV_PREFIXES = List.of("KINDLING_", "LD_", "DYLD_", "BASH_FUNC_");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvironmentRule() {
    }

    /**
     * Why a job may not set the variable {@code name}, or empty if it may. The phrase starts with
     * the name: "JAVA_TOOL_OPTIONS changes how ... start".
     */
    static Optional<String> problem(String name, List<String> envAllow) {
        if (!ENV_NAME.matcher(name).matches()) {
            return Optional.of("'" + LogText.printable(name) + "' is not a valid variable name");
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (workerOwnedEnv(upper)) {
            return Optional.of(name + " is set by the worker");
        }
        if (deniedEnv(upper) && !PoolBackend.matches(name, envAllow)) {
            return Optional.of(name + " changes how the JVM, Python, Hadoop, Spark or a shell start, so jobs may not set"
                    + " it (a pool's envAllow can permit it)");
        }
        return Optional.empty();
    }

    private static boolean workerOwnedEnv(String upper) {
        return WORKER_ENV.contains(upper) || WORKER_ENV_PREFIXES.stream().anyMatch(upper::startsWith);
    }

    private static boolean deniedEnv(String upper) {
        if (HARMLESS_PYTHON.contains(upper)) {
            return false;
        }
        return DENIED_ENV.contains(upper) || DENIED_ENV_PREFIXES.stream().anyMatch(upper::startsWith);
    }
}
