package io.kindling.embedded;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.util.List;

/** What the embedded launcher itself reads; each component reads the rest of the environment. */
public record EmbeddedConfig(boolean startKafka, boolean startLogShipper) {

    public static final ConfigParameter<Boolean> EMBEDDED_KAFKA = ConfigParameter.bool("KINDLING_EMBEDDED_KAFKA", true,
            "start an in-process Kafka broker (false: use KINDLING_KAFKA_BOOTSTRAP_SERVERS)");
    public static final ConfigParameter<Integer> KAFKA_PORT = ConfigParameter.integer("KINDLING_KAFKA_PORT", 9092, 0, 65535,
            "port of the in-process Kafka broker (0: any free port)");

    public static final ConfigParameter<Boolean> EMBEDDED_LOG_SHIPPER = ConfigParameter.bool(
            "KINDLING_EMBEDDED_LOG_SHIPPER", true,
            "start the log-shipper in the same JVM (false: a log-shipper runs on its own over the same spool)");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(EMBEDDED_KAFKA, KAFKA_PORT, EMBEDDED_LOG_SHIPPER);

    public static EmbeddedConfig from(EnvConfig env) {
        env.get(KAFKA_PORT);
        return new EmbeddedConfig(env.get(EMBEDDED_KAFKA), env.get(EMBEDDED_LOG_SHIPPER));
    }
}
