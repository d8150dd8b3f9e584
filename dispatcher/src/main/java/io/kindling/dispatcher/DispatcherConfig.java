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
public record DispatcherConfig(KafkaConfig kafka, PoolsFile pools) {

    public static final ConfigParameter<String> POOLS = ConfigParameter.string(
            "KINDLING_POOLS", "default", "comma-separated names of the worker pools jobs may ask for (without KINDLING_CONFIG)");
    public static final ConfigParameter<String> CONFIG = ConfigParameter.string(
            "KINDLING_CONFIG", null, "path to the pools file (YAML); when set, it names the pools instead of KINDLING_POOLS");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(POOLS, CONFIG);

    public static DispatcherConfig from(EnvConfig env) {
        String file = env.get(CONFIG);
        PoolsFile pools = file != null ? PoolsFile.load(Path.of(file))
                : PoolsFile.defaults(Arrays.stream(env.get(POOLS).split(",")).map(String::trim).toList());
        return new DispatcherConfig(KafkaConfig.from(env), pools);
    }

    public static DispatcherConfig fromEnv(Map<String, String> env) {
        return from(new EnvConfig(env));
    }

    /** The names of the pools, sorted. */
    public Set<String> poolNames() {
        return new java.util.TreeSet<>(pools.pools().keySet());
    }
}
