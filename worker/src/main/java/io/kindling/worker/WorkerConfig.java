package io.kindling.worker;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KindlingHome;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.worker.launcher.SparkSubmitConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything a worker is configured with, read once from the environment.
 *
 * @param workerId   names this worker in reports ({@code KINDLING_WORKER_ID}, default {@code <hostname>-<pool>}:
 *                   stable across restarts, so that a restarted worker adopts its attempts)
 * @param pool       the pool whose {@code runs.<pool>} topic it consumes
 * @param maxRunning attempts it runs at once
 * @param heartbeat  how often it reports each attempt it holds
 * @param lease      the dispatcher's lease: an attempt not reported for this long is LOST
 */
public record WorkerConfig(String workerId, String pool, int maxRunning, SparkSubmitConfig spark, SpoolLayout spool,
        KafkaConfig kafka, Duration heartbeat, Duration lease) {

    public static final ConfigParameter<String> WORKER_ID = ConfigParameter.string(
            "KINDLING_WORKER_ID", null, "names this worker in reports (default <hostname>-<pool>)");
    public static final ConfigParameter<Integer> HEARTBEAT_SECONDS = ConfigParameter.integer(
            "KINDLING_WORKER_HEARTBEAT_SECONDS", 5, 1, 3600, "seconds between heartbeats of each attempt held");
    public static final ConfigParameter<Integer> LEASE_SECONDS = ConfigParameter.integer(
            "KINDLING_WORKER_LEASE_SECONDS", 30, 3, 86_400,
            "the dispatcher's attempt lease; the worker stops attempts it cannot report before it runs out");
    public static final ConfigParameter<String> POOL = ConfigParameter.string(
            "KINDLING_WORKER_POOL", "default", "pool(s) whose runs topic this worker consumes (a comma list: one consumer per pool)");
    public static final ConfigParameter<Integer> MAX_RUNNING = ConfigParameter.integer(
            "KINDLING_WORKER_MAX_RUNNING", 2, 1, 1000, "attempts this worker runs at once");
    public static final ConfigParameter<String> SPARK_HOME = ConfigParameter.requiredString(
            "KINDLING_SPARK_HOME", "Spark distribution whose bin/spark-submit launches the applications");
    public static final ConfigParameter<String> SPARK_JAVA_HOME = ConfigParameter.string(
            "KINDLING_SPARK_JAVA_HOME", null, "JAVA_HOME given to spark-submit (default: the worker's JAVA_HOME)");
    public static final ConfigParameter<String> PYSPARK_PYTHON = ConfigParameter.string(
            "KINDLING_PYSPARK_PYTHON", null, "PYSPARK_PYTHON and PYSPARK_DRIVER_PYTHON for Python applications");
    public static final ConfigParameter<String> SPARK_MASTER = ConfigParameter.string(
            "KINDLING_SPARK_MASTER", "local[*]", "spark-submit --master");
    public static final ConfigParameter<String> LOCAL_PATHS = ConfigParameter.string(
            "KINDLING_WORKER_LOCAL_PATHS", null, "comma list of absolute directories under which jobs of spark-submit"
                    + " pools may name local files (a pool's localPaths overrides it; default: <KINDLING_PROJECT_DIR>/examples"
                    + " when KINDLING_PROJECT_DIR is set, else none: everything else comes as artifacts)");
    /** Set by {@code ./kindling}: the repository, whose {@code examples} the README's quickstart runs. */
    private static final ConfigParameter<String> PROJECT_DIR = ConfigParameter.string("KINDLING_PROJECT_DIR", null,
            "the Kindling repository (set by ./kindling)");

    /** The worker's own keys; {@link #describe} adds the shared ones. */
    public static final List<ConfigParameter<?>> PARAMETERS = List.of(
            WORKER_ID, POOL, MAX_RUNNING, HEARTBEAT_SECONDS, LEASE_SECONDS, SPARK_HOME, SPARK_JAVA_HOME, PYSPARK_PYTHON, SPARK_MASTER,
            io.kindling.worker.launcher.SecretsDirectory.DIR, LOCAL_PATHS);

    private static final Pattern POOL_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public WorkerConfig {
        if (!POOL_NAME.matcher(pool).matches()) {
            throw new ConfigException("invalid value for " + POOL.name() + ": expected [a-z0-9-], at most 63 characters"
                    + " (was '" + pool + "')");
        }
        if (heartbeat.multipliedBy(3).compareTo(lease) > 0) {
            throw new ConfigException("invalid value for " + HEARTBEAT_SECONDS.name() + ": at most a third of "
                    + LEASE_SECONDS.name() + " (" + lease.toSeconds() + "), was " + heartbeat.toSeconds());
        }
    }

    /** With the default heartbeat (5 s) and lease (30 s). */
    public WorkerConfig(String workerId, String pool, int maxRunning, SparkSubmitConfig spark, SpoolLayout spool,
            KafkaConfig kafka) {
        this(workerId, pool, maxRunning, spark, spool, kafka, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    /**
     * How long an attempt may go without an acknowledged report before the worker (and its shim)
     * stops it: two thirds of the lease, so that the driver is gone before the dispatcher's lease
     * runs out and another attempt may start.
     */
    public Duration fenceAfter() {
        return lease.multipliedBy(2).dividedBy(3);
    }

    public static WorkerConfig fromEnv(Map<String, String> env) {
        return from(new EnvConfig(env));
    }

    /** The worker of the one pool {@code KINDLING_WORKER_POOL} names, with the worker's own Spark settings. */
    public static WorkerConfig from(EnvConfig env) {
        return from(env, env.get(POOL), false, false);
    }

    /**
     * The worker of {@code pool}.
     *
     * @param suffixId      append {@code -<pool>} to an explicit {@code KINDLING_WORKER_ID} (a process serving several pools)
     * @param ownSparkHome  the pool names its Spark, so {@code KINDLING_SPARK_HOME} is not required
     */
    static WorkerConfig from(EnvConfig env, String pool, boolean suffixId, boolean ownSparkHome) {
        String workerId = env.get(WORKER_ID);
        String javaHome = env.get(SPARK_JAVA_HOME);
        String sparkHome = ownSparkHome ? env.raw(SPARK_HOME).orElse("/") : env.get(SPARK_HOME);
        SparkSubmitConfig spark = new SparkSubmitConfig(
                absolute(sparkHome),
                javaHome == null ? null : absolute(javaHome),
                env.get(PYSPARK_PYTHON),
                env.get(SPARK_MASTER)).withPolicy(LaunchPolicy.defaults().withLocalPaths(localPaths(env)));
        if (workerId != null && suffixId) {
            workerId = workerId + "-" + pool;
        }
        return new WorkerConfig(workerId != null ? workerId : defaultWorkerId(pool), pool, env.get(MAX_RUNNING),
                spark, SpoolLayout.from(env), KafkaConfig.from(env), Duration.ofSeconds(env.get(HEARTBEAT_SECONDS)),
                Duration.ofSeconds(env.get(LEASE_SECONDS)));
    }

    /** This configuration with the pool's spark-submit backend keys over the worker's own. */
    public WorkerConfig withPool(io.kindling.common.pools.PoolBackend backend) {
        return new WorkerConfig(workerId, pool, maxRunning, spark.withPool(backend), spool, kafka, heartbeat, lease);
    }

    /** The effective configuration, one key a line, secrets redacted: logged once at start-up. */
    public static String describe(EnvConfig env) {
        List<ConfigParameter<?>> all = new ArrayList<>(PARAMETERS);
        all.add(WorkerPools.CONFIG);
        all.addAll(io.kindling.worker.session.SessionRelayConfig.PARAMETERS);
        all.add(SpoolLayout.SPOOL_DIR);
        all.add(KindlingHome.HOME);
        all.addAll(KafkaConfig.PARAMETERS);
        return env.describe(all);
    }

    /** The consumer group of a pool: the workers of one pool share its queue. */
    public String groupId() {
        return io.kindling.common.kafka.KafkaAcls.workerGroup(pool);
    }

    /** {@code KINDLING_WORKER_LOCAL_PATHS}, else {@code <KINDLING_PROJECT_DIR>/examples}, else none. */
    static List<Path> localPaths(EnvConfig env) {
        String configured = env.get(LOCAL_PATHS);
        if (configured != null) {
            List<Path> dirs = new ArrayList<>();
            for (String dir : configured.split(",")) {
                if (!dir.isBlank()) {
                    Path path = Path.of(dir.trim());
                    if (!path.isAbsolute()) {
                        throw new ConfigException("invalid value for " + LOCAL_PATHS.name()
                                + ": each directory must be absolute, was '" + dir.trim() + "'");
                    }
                    dirs.add(path.normalize());
                }
            }
            return List.copyOf(dirs);
        }
        return env.raw(PROJECT_DIR).filter(dir -> !dir.isBlank())
                .map(dir -> List.of(absolute(dir).resolve("examples"))).orElse(List.of());
    }

    private static Path absolute(String path) {
        return Path.of(path).toAbsolutePath().normalize();
    }

    /** {@code <hostname>-<pool>}: the same after a restart, so the worker adopts what it left running. */
    private static String defaultWorkerId(String pool) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "worker";
        }
        return host + "-" + pool;
    }
}
