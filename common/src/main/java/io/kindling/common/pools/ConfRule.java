package io.kindling.common.pools;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@link LaunchPolicy}'s conf rule: which Spark conf keys and values a job may set in a pool, from the risky
 * keys, the JVM options no {@code *JavaOptions} key may hold, the environment rule for the keys that name a
 * variable, and the pool's {@code confDeny}, {@code confAllow} and {@code confAllowRisky}.
 */
final class ConfRule {
    /** Conf keys (patterns, {@code *} = any characters) a job may set only where the pool's confAllowRisky allows. */
    static final List<String> RISKY_CONF = List.of(
            // host paths and secrets mounted into pods
            "spark.kubernetes.*.volumes.hostPath.*", "spark.kubernetes.*.volumes.nfs.*",
            "spark.kubernetes.*.secrets.*", "spark.kubernetes.*.secretKeyRef.*",
            "spark.kubernetes.*.podTemplateFile", "spark.kubernetes.authenticate.*",
            "spark.kubernetes.kerberos.*", "spark.kubernetes.hadoop.*",
            // files copied from the submitting host, upload and staging locations
            "spark.kubernetes.file.upload.path", "spark.yarn.stagingDir", "spark.yarn.archive", "spark.yarn.jars",
            "spark.yarn.dist.*", "spark.jars", "spark.files", "spark.archives", "spark.submit.pyFiles",
            "spark.jars.ivy", "spark.jars.ivySettings", "spark.driver.extraClassPath", "spark.driver.extraLibraryPath",
            "spark.executor.extraClassPath", "spark.executor.extraLibraryPath", "spark.yarn.am.extraLibraryPath",
            // credentials of the submitting host
            "spark.yarn.keytab", "spark.yarn.principal", "spark.kerberos.*", "spark.yarn.access.*",
            "spark.security.credentials.*",
            // redaction, ACLs, UI and RPC security
            "spark.redaction.*", "spark.sql.redaction.*", "spark.acls.*", "spark.admin.acls*", "spark.modify.acls*",
            "spark.ui.view.acls*", "spark.user.groups.mapping*", "spark.ui.filters", "spark.ui.allowFramingFrom",
            "spark.ui.proxyRedirectUri", "spark.ui.reverseProxy*", "spark.ui.killEnabled", "spark.ui.xXssProtection",
            "spark.ui.xContentTypeOptions.enabled", "spark.ui.strictTransportSecurity", "spark.authenticate*",
            "spark.network.crypto.*", "spark.io.encryption.*", "spark.ssl.*", "spark.history.*",
            // programs run by the launch
            "spark.*.discoveryScript", "spark.pyspark.python", "spark.pyspark.driver.python", "spark.r.command",
            "spark.r.driver.command");
    /** Conf keys whose suffix names an environment variable of a driver, application master or executor. */
    private static final List<String> ENV_CONF_PREFIXES = List.of("spark.executorEnv.", "spark.yarn.appMasterEnv.",
            "spark.kubernetes.driverEnv.", "spark.mesos.driverEnv.");
    private static final Pattern JAVA_OPTIONS_KEY = Pattern.compile("spark\\..*(extra|default)JavaOptions");
    /** JVM options that run a command or code of the submitting host's choosing, or reach behind the conf policy. */
    private static final List<String> DENIED_JVM_OPTIONS = List.of("-xx:onoutofmemoryerror", "-xx:onerror",
            "-xx:flags", "-xx:vmoptionsfile", "-agentlib", "-agentpath", "-javaagent", "-xbootclasspath", "-dspark.");

    private static final Pattern CONF_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final List<String> confDeny;
    private final List<String> confAllow;
    private final List<String> confAllowRisky;
    private final List<String> envAllow;

    /** The lists as {@link LaunchPolicy} holds them (copied, {@code confAllow} null when every key is allowed). */
    ConfRule(List<String> confDeny, List<String> confAllow, List<String> confAllowRisky, List<String> envAllow) {
        this.confDeny = confDeny;
        this.confAllow = confAllow;
        this.confAllowRisky = confAllowRisky;
        this.envAllow = envAllow;
    }

    /** Why a job may not set conf {@code key} to {@code value}, or empty if it may (worker-owned keys aside). */
    Optional<String> problem(String key, String value) {
        if (!CONF_KEY.matcher(key).matches()) {
            return Optional.empty(); // not a Spark key: the launchers drop it with a warning
        }
        for (String prefix : ENV_CONF_PREFIXES) {
            if (key.startsWith(prefix)) {
                Optional<String> env = EnvironmentRule.problem(key.substring(prefix.length()), envAllow);
                if (env.isPresent()) {
                    return Optional.of("conf " + key + ": " + env.get());
                }
            }
        }
        if (risky(key) && !PoolBackend.matches(key, confAllowRisky)) {
            return Optional.of("conf " + key + " is a risky key (host paths, secrets, staging, credentials or"
                    + " security settings) this pool does not let jobs set (its confAllowRisky can permit it)");
        }
        if (value != null && JAVA_OPTIONS_KEY.matcher(key).matches() && !PoolBackend.matches(key, confAllowRisky)) {
            String lower = value.toLowerCase(Locale.ROOT);
            for (String option : DENIED_JVM_OPTIONS) {
                if (lower.contains(option)) {
                    return Optional.of("conf " + key + " holds the JVM option " + option.replace("-xx:", "-XX:")
                            .replace("-dspark.", "-Dspark.") + "…, which runs code or overrides conf behind the"
                            + " pool's policy");
                }
            }
            if (lower.matches("(?s)(.*\\s)?@.*")) {
                return Optional.of("conf " + key + " holds a JVM @argument file, which reads options from a file");
            }
        }
        if (PoolBackend.matches(key, confDeny) || (confAllow != null && !PoolBackend.matches(key, confAllow))) {
            return Optional.of("this pool does not let jobs set conf " + key);
        }
        return Optional.empty();
    }

    /** True if {@code key} is a Spark conf key the launchers pass on (others are dropped with a warning). */
    static boolean isConfKey(String key) {
        return CONF_KEY.matcher(key).matches();
    }

    /** True if {@code key} is risky: refused unless a pool's {@code confAllowRisky} matches it. */
    static boolean risky(String key) {
        return PoolBackend.matches(key, RISKY_CONF)
                || PoolBackend.matches(key.toLowerCase(Locale.ROOT), RISKY_CONF.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList());
    }
}
