package io.kindling.worker.launcher;

import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.PoolBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the worker runs {@code spark-submit} for one pool.
 *
 * @param sparkHome     the Spark distribution (the pool's {@code sparkHome}, else {@code KINDLING_SPARK_HOME});
 *                      its {@code bin/spark-submit} is run
 * @param javaHome      JDK given to Spark as {@code JAVA_HOME}, or null to pass on the worker's own
 * @param pysparkPython interpreter for Python apps ({@code PYSPARK_PYTHON} and {@code PYSPARK_DRIVER_PYTHON}), or null
 * @param master        {@code --master}, e.g. {@code local[*]}, {@code spark://host:7077}, {@code yarn}, {@code k8s://...}
 * @param deployMode    {@code client} or {@code cluster}
 * @param poolConf      the pool's conf, given before the job's (a job may override it unless denied)
 * @param policy        what a job may set (environment, conf, local paths): the pool's {@link LaunchPolicy}
 * @param driverPorts   the ports handed to client-mode drivers, or null to let Spark choose
 * @param driverHost    the address executors reach a client-mode driver at (with {@code driverPorts}), or null
 * @param driverLogDir  standalone cluster mode: the Spark worker's work directory as seen here, or null
 * @param driverUiAddress the address client-mode drivers' UIs listen on ({@code SPARK_LOCAL_IP}); default
 *                      {@value #DEFAULT_UI_ADDRESS}
 * @param masterWebUi   standalone cluster mode: the master's web UI, or null for port
 *                      {@value #DEFAULT_MASTER_UI_PORT} on the master's host ({@link #masterWebUiUrl()})
 * @param driverLogPoll standalone cluster mode: how often a running driver's logs are read from its Spark worker
 */
public record SparkSubmitConfig(Path sparkHome, Path javaHome, String pysparkPython, String master, String deployMode,
        Map<String, String> poolConf, LaunchPolicy policy, PortRange driverPorts, String driverHost, Path driverLogDir,
        String driverUiAddress, String masterWebUi, java.time.Duration driverLogPoll) {

    public static final String DEFAULT_UI_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_MASTER_UI_PORT = 8080;
    public static final java.time.Duration DEFAULT_DRIVER_LOG_POLL = java.time.Duration.ofSeconds(2);

    public SparkSubmitConfig {
        Objects.requireNonNull(sparkHome, "sparkHome");
        Objects.requireNonNull(master, "master");
        deployMode = deployMode == null ? "client" : deployMode;
        poolConf = poolConf == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(poolConf));
        policy = policy == null ? LaunchPolicy.defaults() : policy;
        driverUiAddress = driverUiAddress == null ? DEFAULT_UI_ADDRESS : driverUiAddress;
        driverLogPoll = driverLogPoll == null ? DEFAULT_DRIVER_LOG_POLL : driverLogPoll;
    }

    /** Without the standalone cluster-mode settings (their defaults). */
    public SparkSubmitConfig(Path sparkHome, Path javaHome, String pysparkPython, String master, String deployMode,
            Map<String, String> poolConf, LaunchPolicy policy, PortRange driverPorts, String driverHost, Path driverLogDir,
            String driverUiAddress) {
        this(sparkHome, javaHome, pysparkPython, master, deployMode, poolConf, policy, driverPorts, driverHost,
                driverLogDir, driverUiAddress, null, null);
    }

    /**
     * A pool's conf policy without local-path checks (tests and embedding; the worker builds its
     * configuration with {@link #withPool} and its {@code KINDLING_WORKER_LOCAL_PATHS}).
     */
    public SparkSubmitConfig(Path sparkHome, Path javaHome, String pysparkPython, String master, String deployMode,
            Map<String, String> poolConf, List<String> confDeny, List<String> confAllow, PortRange driverPorts,
            String driverHost, Path driverLogDir) {
        this(sparkHome, javaHome, pysparkPython, master, deployMode, poolConf,
                new LaunchPolicy(confDeny, confAllow, null, null, null), driverPorts, driverHost, driverLogDir, null);
    }

    /** Client mode, no pool conf, the default policy with local paths unchecked (tests). */
    public SparkSubmitConfig(Path sparkHome, Path javaHome, String pysparkPython, String master) {
        this(sparkHome, javaHome, pysparkPython, master, "client", Map.of(), LaunchPolicy.defaults(), null, null, null,
                null);
    }

    /** This configuration with {@code policy}. */
    public SparkSubmitConfig withPolicy(LaunchPolicy policy) {
        return new SparkSubmitConfig(sparkHome, javaHome, pysparkPython, master, deployMode, poolConf, policy, driverPorts,
                driverHost, driverLogDir, driverUiAddress, masterWebUi, driverLogPoll);
    }

    /**
     * The worker's own settings overlaid with a pool's spark-submit backend keys; the pool's launch
     * policy, its local paths the pool's {@code localPaths} or else this configuration's.
     */
    public SparkSubmitConfig withPool(PoolBackend pool) {
        int[] range = pool.portRange();
        return new SparkSubmitConfig(pool.sparkHome() != null ? Path.of(pool.sparkHome()).toAbsolutePath().normalize() : sparkHome,
                javaHome, pysparkPython, pool.master() != null ? pool.master() : master,
                pool.deployMode() != null ? pool.deployMode() : deployMode, pool.conf(),
                LaunchPolicy.of(pool, policy.localPaths()),
                range == null ? null : new PortRange(range[0], range[1]), pool.driverHost(),
                pool.driverLogDir() == null ? null : Path.of(pool.driverLogDir()).toAbsolutePath().normalize(),
                pool.driverUiAddress(), pool.masterWebUi(),
                pool.driverLogPollSeconds() == null ? null : java.time.Duration.ofSeconds(pool.driverLogPollSeconds()));
    }

    /** This configuration in client mode (a session's Spark Connect server runs on the worker host in every pool). */
    public SparkSubmitConfig inClientMode() {
        return clusterMode() ? new SparkSubmitConfig(sparkHome, javaHome, pysparkPython, master, "client", poolConf, policy,
                driverPorts, driverHost, driverLogDir, driverUiAddress, masterWebUi, driverLogPoll) : this;
    }

    /**
     * The standalone master's web UI: {@link #masterWebUi}, else port {@value #DEFAULT_MASTER_UI_PORT} on the
     * host of {@link #master} (the first one of a {@code spark://a:p,b:p} list).
     */
    public String masterWebUiUrl() {
        if (masterWebUi != null) {
            return masterWebUi.endsWith("/") ? masterWebUi.substring(0, masterWebUi.length() - 1) : masterWebUi;
        }
        String hostPort = master.substring("spark://".length()).split(",")[0];
        int colon = hostPort.lastIndexOf(':');
        return "http://" + (colon < 0 ? hostPort : hostPort.substring(0, colon)) + ":" + DEFAULT_MASTER_UI_PORT;
    }

    public Path sparkSubmit() {
        return sparkHome.resolve("bin").resolve("spark-submit");
    }

    /** True for {@code local}, {@code local[N]}, {@code local[*]}: the driver and executors share this host. */
    public boolean localMaster() {
        return master.equals("local") || master.startsWith("local[");
    }

    public boolean clusterMode() {
        return "cluster".equals(deployMode);
    }

    /** Standalone cluster mode: submitted through the master's REST server and followed there. */
    public boolean standaloneCluster() {
        return clusterMode() && clusterManager() == ClusterManager.STANDALONE;
    }

    /** The cluster manager {@link #master} names. */
    public ClusterManager clusterManager() {
        if (localMaster()) {
            return ClusterManager.LOCAL;
        }
        if (master.equals("yarn")) {
            return ClusterManager.YARN;
        }
        if (master.startsWith("k8s://")) {
            return ClusterManager.KUBERNETES;
        }
        return ClusterManager.STANDALONE;
    }

    public enum ClusterManager { LOCAL, STANDALONE, YARN, KUBERNETES }

    /** Ports {@code first..last}, both included. */
    public record PortRange(int first, int last) {
    }
}
