package io.kindling.common.pools;

import java.util.Map;
import java.util.TreeMap;

/**
 * How a pool's workers launch attempts: the pool's backend keys. New backend keys are added here
 * as components (the YAML loader accepts every component of this record and nothing else).
 *
 * @param backend {@code spark-submit} (default) or {@code kubernetes}
 * @param master spark-submit {@code --master}
 * @param deployMode {@code client} or {@code cluster}
 * @param sparkHome the Spark distribution the worker launches with
 * @param conf Spark configuration every launch of the pool gets
 * @param namespace Kubernetes namespace of driver pods
 * @param image container image of driver (and executor) pods
 * @param serviceAccount Kubernetes service account of driver pods
 * @param confDeny conf key patterns a job may not set ({@code *} matches any characters); a job
 *                 that sets one is refused (SUBMISSION_FAILED) naming the key
 * @param confAllow when set, the only conf key patterns a job may set (deny wins over allow)
 * @param driverPortRange {@code <first>-<last>}: ports the worker hands to client-mode drivers
 *                        (driver, block manager and UI port: three distinct ports per running attempt)
 * @param driverHost the address executors reach client-mode drivers at ({@code spark.driver.host}
 *                   and the Spark UI link; default: the worker's host name)
 * @param driverLogDir standalone cluster mode: the Spark worker's work directory as this host sees it,
 *                     from which the driver's {@code <driver id>/stdout} and {@code stderr} are copied into the spool
 * @param kubernetes   the driver-pod keys of a {@code backend: kubernetes} pool (flat in the YAML, see {@link KubernetesKeys})
 * @param localPaths   absolute directories under which a job's local paths (plain or {@code file:}) must lie
 *                     (null: the worker's {@code KINDLING_WORKER_LOCAL_PATHS} on spark-submit pools, unchecked
 *                     image paths on Kubernetes pools; {@code []}: none, everything comes as artifacts)
 * @param envAllow     environment variable patterns the launch policy denies that jobs of this pool may set
 *                     (never the worker's own: PATH, JAVA_HOME, SPARK_HOME, KINDLING_*, LD_* …)
 * @param confAllowRisky risky conf key patterns (host-path volumes, secrets mounts, staging paths, ACL and
 *                     UI-security keys … see {@link LaunchPolicy}) that jobs of this pool may set
 * @param driverUiAddress the address client-mode drivers' UIs listen on ({@code SPARK_LOCAL_IP}; default
 *                     {@code 127.0.0.1}, {@code 0.0.0.0} for every interface)
 * @param masterWebUi  standalone cluster mode: the master's web UI ({@code http://host:8080}; default port 8080 on
 *                     the master's host), whose {@code /json/} names each driver's Spark worker and that worker's UI
 * @param driverLogPollSeconds standalone cluster mode without {@code driverLogDir}: how often the driver's stdout
 *                     and stderr are read from its Spark worker's log endpoint while it runs (default 2)
 */
public record PoolBackend(
        String backend,
        String master,
        String deployMode,
        String sparkHome,
        Map<String, String> conf,
        String namespace,
        String image,
        String serviceAccount,
        java.util.List<String> confDeny,
        java.util.List<String> confAllow,
        String driverPortRange,
        String driverHost,
        String driverLogDir,
        KubernetesKeys kubernetes,
        java.util.List<String> localPaths,
        java.util.List<String> envAllow,
        java.util.List<String> confAllowRisky,
        String driverUiAddress,
        String masterWebUi,
        Integer driverLogPollSeconds) {

    public static final String SPARK_SUBMIT = "spark-submit";
    public static final String KUBERNETES = "kubernetes";

    public PoolBackend {
        backend = backend == null ? SPARK_SUBMIT : backend;
        conf = conf == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(conf));
        confDeny = confDeny == null ? java.util.List.of() : java.util.List.copyOf(confDeny);
        confAllow = confAllow == null ? null : java.util.List.copyOf(confAllow);
        kubernetes = kubernetes == null ? KubernetesKeys.NONE : kubernetes;
        localPaths = localPaths == null ? null : java.util.List.copyOf(localPaths);
        envAllow = envAllow == null ? java.util.List.of() : java.util.List.copyOf(envAllow);
        confAllowRisky = confAllowRisky == null ? java.util.List.of() : java.util.List.copyOf(confAllowRisky);
    }

    /** The spark-submit backend with nothing else set (the worker's own settings apply). */
    public static PoolBackend defaults() {
        return new PoolBackend(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }

    /** This backend with the driver-pod keys {@code keys}. */
    public PoolBackend withKubernetes(KubernetesKeys keys) {
        return new PoolBackend(backend, master, deployMode, sparkHome, conf, namespace, image, serviceAccount, confDeny,
                confAllow, driverPortRange, driverHost, driverLogDir, keys, localPaths, envAllow, confAllowRisky,
                driverUiAddress, masterWebUi, driverLogPollSeconds);
    }

    /** True if {@code key} matches one of {@code patterns} ({@code *} matches any characters). */
    public static boolean matches(String key, java.util.List<String> patterns) {
        for (String p : patterns) {
            String regex = java.util.Arrays.stream(p.split("\\*", -1)).map(java.util.regex.Pattern::quote)
                    .collect(java.util.stream.Collectors.joining(".*"));
            if (key.matches(regex)) {
                return true;
            }
        }
        return false;
    }

    /** The first and last port of {@link #driverPortRange}, or null when it is not set (checked at load). */
    public int[] portRange() {
        if (driverPortRange == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})-(\\d{1,5})").matcher(driverPortRange.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("driverPortRange must be <first>-<last>, was '" + driverPortRange + "'");
        }
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}
