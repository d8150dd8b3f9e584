package io.kindling.broker;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one embedded single-node Kafka broker.
 *
 * @param dataDir        log directory; formatted on first start and reused afterwards
 * @param port           client listener port on 127.0.0.1, {@code 0} to let the OS pick one
 * @param controllerPort KRaft controller listener port on 127.0.0.1, {@code 0} to let the OS pick one
 */
public record BrokerConfig(Path dataDir, int port, int controllerPort) {

    /** Client port of the broker; default 9092. */
    public static final String PORT_ENV = "KINDLING_KAFKA_PORT";
    /** Kindling's state directory; the broker keeps its log under {@code $KINDLING_HOME/kafka}. Default {@code ./.kindling}. */
    public static final String HOME_ENV = "KINDLING_HOME";

    static final int DEFAULT_PORT = 9092;
    static final String DEFAULT_HOME = ".kindling";

    public BrokerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        checkPort("port", port);
        checkPort("controllerPort", controllerPort);
    }

    /** A broker on free ports, storing its log in {@code dataDir}. */
    public static BrokerConfig onFreePorts(Path dataDir) {
        return new BrokerConfig(dataDir, 0, 0);
    }

    /**
     * Reads {@value #PORT_ENV} and {@value #HOME_ENV}; the controller port is always picked by the OS.
     *
     * @throws IllegalArgumentException naming the key whose value is not valid
     */
    public static BrokerConfig fromEnv(Map<String, String> env) {
        String home = env.getOrDefault(HOME_ENV, DEFAULT_HOME);
        if (home.isBlank()) {
            throw new IllegalArgumentException(HOME_ENV + " must not be blank");
        }
        int port = parsePort(PORT_ENV, env.getOrDefault(PORT_ENV, Integer.toString(DEFAULT_PORT)));
        return new BrokerConfig(Path.of(home).resolve("kafka"), port, 0);
    }

    private static int parsePort(String key, String value) {
        try {
            int port = Integer.parseInt(value.trim());
            checkPort(key, port);
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a port number, got '" + value + "'", e);
        }
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(name + " must be between 0 and 65535, got " + port);
        }
    }
}
