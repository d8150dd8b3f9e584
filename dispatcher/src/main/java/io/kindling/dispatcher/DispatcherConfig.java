package io.kindling.dispatcher;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.kafka.KafkaConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The dispatcher's configuration: where Kafka is and which pools exist. */
public record DispatcherConfig(KafkaConfig kafka, Set<String> pools) {

    public static final ConfigParameter<String> POOLS = ConfigParameter.string(
            "KINDLING_POOLS", "default", "comma-separated names of the worker pools jobs may ask for");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(POOLS);

    public DispatcherConfig {
        pools = Set.copyOf(pools);
    }

    public static DispatcherConfig from(EnvConfig env) {
        Set<String> pools = new TreeSet<>();
        for (String pool : Arrays.asList(env.get(POOLS).split(","))) {
            String name = pool.trim();
            if (!name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?")) {
                throw new ConfigException("invalid pool name '" + name + "' in " + POOLS.name()
                        + " (lowercase letters, digits and '-')");
            }
            pools.add(name);
        }
        return new DispatcherConfig(KafkaConfig.from(env), pools);
    }

    public static DispatcherConfig fromEnv(java.util.Map<String, String> env) {
        return from(new EnvConfig(env));
    }
}
