package io.kindling.dispatcher;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.pools.PoolsFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dispatcher's configuration: where Kafka is and which pools exist, from the pools file
 * ({@code KINDLING_CONFIG}) or, without one, the names in {@code KINDLING_POOLS} with defaults.
 */
public record DispatcherConfig(KafkaConfig kafka, PoolsFile pools, int retentionDays, int retentionMaxJobs, int ackSeconds,
        String instanceId) {

    public static final ConfigParameter<String> POOLS = ConfigParameter.string(
            "KINDLING_POOLS", "default", "comma-separated names of the worker pools jobs may ask for (without KINDLING_CONFIG)");
    public static final ConfigParameter<String> CONFIG = ConfigParameter.string(
            "KINDLING_CONFIG", null, "path to the pools file (YAML); when set, it names the pools instead of KINDLING_POOLS");

    public static final ConfigParameter<Integer> JOB_RETENTION_DAYS = ConfigParameter.integer(
            "KINDLING_JOB_RETENTION_DAYS", 30, 1, 3650, "days a finished job is remembered (idempotent replays); then forgotten");
    public static final ConfigParameter<Integer> JOB_RETENTION_MAX_JOBS = ConfigParameter.integer(
            "KINDLING_JOB_RETENTION_MAX_JOBS", 500_000, 1_000, 100_000_000,
            "finished jobs remembered at most (about 0.5 KiB of the dispatcher's heap each); beyond it the oldest are forgotten"
                    + " before their retention days");
    public static final ConfigParameter<Integer> DISPATCH_ACK_SECONDS = ConfigParameter.integer(
            "KINDLING_DISPATCH_ACK_SECONDS", 300, 5, 86_400,
            "seconds a dispatched attempt may wait for a worker's first report before it is declared LOST and its slot freed");
    public static final ConfigParameter<String> DISPATCHER_ID = ConfigParameter.string(
            "KINDLING_DISPATCHER_ID", null, "this dispatcher instance's id, distinct per instance (default: host name and pid)");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(POOLS, CONFIG, JOB_RETENTION_DAYS, JOB_RETENTION_MAX_JOBS,
            DISPATCH_ACK_SECONDS, DISPATCHER_ID);

    public static DispatcherConfig from(EnvConfig env) {
        String file = env.get(CONFIG);
        PoolsFile pools = file != null ? PoolsFile.load(Path.of(file))
                : PoolsFile.defaults(Arrays.stream(env.get(POOLS).split(",")).map(String::trim).toList());
        String id = env.get(DISPATCHER_ID);
        if (id == null) {
            String host = System.getenv().getOrDefault("HOSTNAME", "host");
            id = host + "-" + ProcessHandle.current().pid();
        }
        return new DispatcherConfig(KafkaConfig.from(env), pools, env.get(JOB_RETENTION_DAYS), env.get(JOB_RETENTION_MAX_JOBS),
                env.get(DISPATCH_ACK_SECONDS), id);
    }

    public static DispatcherConfig fromEnv(Map<String, String> env) {
        return from(new EnvConfig(env));
    }

    /** The names of the pools, sorted. */
    public Set<String> poolNames() {
        return new java.util.TreeSet<>(pools.pools().keySet());
    }
}
