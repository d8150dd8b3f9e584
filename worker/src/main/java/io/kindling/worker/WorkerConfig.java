package io.kindling.worker;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KindlingHome;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.worker.launcher.SparkSubmitConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything a worker is configured with, read once from the environment.
 *
 * @param workerId   names this worker in events ({@code KINDLING_WORKER_ID}, default {@code <hostname>-<pid>})
 * @param pool       the pool whose {@code runs.<pool>} topic it consumes
 * @param maxRunning attempts it runs at once
 */
public record WorkerConfig(String workerId, String pool, int maxRunning, SparkSubmitConfig spark, SpoolLayout spool,
        KafkaConfig kafka) {

    public static final ConfigParameter<String> WORKER_ID = ConfigParameter.string(
            "KINDLING_WORKER_ID", null, "names this worker in events (default <hostname>-<pid>)");
    public static final ConfigParameter<String> POOL = ConfigParameter.string(
            "KINDLING_WORKER_POOL", "default", "pool whose runs topic this worker consumes");
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

    /** The worker's own keys; {@link #describe} adds the shared ones. */
    public static final List<ConfigParameter<?>> PARAMETERS = List.of(
            WORKER_ID, POOL, MAX_RUNNING, SPARK_HOME, SPARK_JAVA_HOME, PYSPARK_PYTHON, SPARK_MASTER);

    private static final Pattern POOL_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    public WorkerConfig {
        if (!POOL_NAME.matcher(pool).matches()) {
            throw new ConfigException("invalid value for " + POOL.name() + ": expected [a-z0-9-], at most 63 characters"
                    + " (was '" + pool + "')");
        }
    }

    public static WorkerConfig fromEnv(Map<String, String> env) {
        return from(new EnvConfig(env));
    }

    public static WorkerConfig from(EnvConfig env) {
        String workerId = env.get(WORKER_ID);
        String javaHome = env.get(SPARK_JAVA_HOME);
        SparkSubmitConfig spark = new SparkSubmitConfig(
                absolute(env.get(SPARK_HOME)),
                javaHome == null ? null : absolute(javaHome),
                env.get(PYSPARK_PYTHON),
                env.get(SPARK_MASTER));
        return new WorkerConfig(workerId != null ? workerId : defaultWorkerId(), env.get(POOL), env.get(MAX_RUNNING),
                spark, SpoolLayout.from(env), KafkaConfig.from(env));
    }

    /** The effective configuration, one key a line, secrets redacted: logged once at start-up. */
    public static String describe(EnvConfig env) {
        List<ConfigParameter<?>> all = new ArrayList<>(PARAMETERS);
        all.add(SpoolLayout.SPOOL_DIR);
        all.add(KindlingHome.HOME);
        all.addAll(KafkaConfig.PARAMETERS);
        return env.describe(all);
    }

    /** The consumer group of a pool: the workers of one pool share its queue. */
    public String groupId() {
        return "kindling-worker-" + pool;
    }

    private static Path absolute(String path) {
        return Path.of(path).toAbsolutePath().normalize();
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "worker";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
