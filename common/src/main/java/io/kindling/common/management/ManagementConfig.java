package io.kindling.common.management;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.util.List;
import java.util.Map;

/**
 * Where a process serves {@code /metrics}, {@code /health/live} and {@code /health/ready}.
 *
 * @param host address to bind
 * @param port port (0: any free port)
 */
public record ManagementConfig(String host, int port) {

    public static final int DEFAULT_PORT = 9464;
    public static final ConfigParameter<String> HOST = ConfigParameter.string("KINDLING_METRICS_HOST", "0.0.0.0",
            "address of the management endpoint (/metrics, /health/live, /health/ready)");
    public static final ConfigParameter<Integer> PORT = ConfigParameter.integer("KINDLING_METRICS_PORT", DEFAULT_PORT, 0,
            65535, "port of the management endpoint (0: any free port)");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(HOST, PORT);

    public static ManagementConfig fromEnv(Map<String, String> env) {
        EnvConfig config = new EnvConfig(env);
        return new ManagementConfig(config.get(HOST), config.get(PORT));
    }
}
