package io.kindling.common.kafka;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.schemas.Topics;
import java.util.ArrayList;
import java.util.List;

/** How every component reaches Kafka (address and client security) and names its topics. */
public record KafkaConfig(String bootstrapServers, Topics topics, int partitions, short replicationFactor,
        KafkaSecurity security) {

    public static final ConfigParameter<String> BOOTSTRAP_SERVERS = ConfigParameter.string(
            "KINDLING_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "Kafka bootstrap servers");
    public static final ConfigParameter<String> TOPIC_PREFIX = ConfigParameter.string(
            "KINDLING_TOPIC_PREFIX", Topics.DEFAULT_PREFIX, "prefix of every topic name");
    public static final ConfigParameter<Integer> TOPIC_PARTITIONS = ConfigParameter.integer(
            "KINDLING_TOPIC_PARTITIONS", 3, 1, 1000, "partitions of the topics Kindling creates");
    public static final ConfigParameter<Integer> TOPIC_REPLICATION = ConfigParameter.integer(
            "KINDLING_TOPIC_REPLICATION_FACTOR", 1, 1, 10, "replication factor of the topics Kindling creates");

    public static final List<ConfigParameter<?>> PARAMETERS = parameters();

    public KafkaConfig {
        security = security == null ? KafkaSecurity.NONE : security;
    }

    /** Plaintext, no authentication. */
    public KafkaConfig(String bootstrapServers, Topics topics, int partitions, short replicationFactor) {
        this(bootstrapServers, topics, partitions, replicationFactor, KafkaSecurity.NONE);
    }

    public static KafkaConfig from(EnvConfig env) {
        return new KafkaConfig(env.get(BOOTSTRAP_SERVERS), new Topics(env.get(TOPIC_PREFIX)),
                env.get(TOPIC_PARTITIONS), env.get(TOPIC_REPLICATION).shortValue(), KafkaSecurity.from(env));
    }

    public static KafkaConfig fromEnv(java.util.Map<String, String> env) {
        return from(new EnvConfig(env));
    }

    /** The same cluster and topics, reached with other credentials. */
    public KafkaConfig withSecurity(KafkaSecurity other) {
        return new KafkaConfig(bootstrapServers, topics, partitions, replicationFactor, other);
    }

    private static List<ConfigParameter<?>> parameters() {
        List<ConfigParameter<?>> all = new ArrayList<>(List.of(BOOTSTRAP_SERVERS, TOPIC_PREFIX, TOPIC_PARTITIONS,
                TOPIC_REPLICATION));
        all.addAll(KafkaSecurity.PARAMETERS);
        return List.copyOf(all);
    }
}
