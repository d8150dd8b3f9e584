package io.kindling.api.sessions;

import io.kindling.api.gateway.GatewayCertificates;
import io.kindling.api.gateway.GatewayConfig;
import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The api's interactive sessions: where clients reach the session gateway and whether this api
 * runs it.
 *
 * @param gatewayEnabled whether this api starts the gateway ({@code KINDLING_GATEWAY_ENABLED}; default: when
 *                       the TLS directory and the relay key are configured)
 * @param gatewayHost    the name clients and relay agents dial, in every {@code connectUrl} ({@code KINDLING_GATEWAY_HOST})
 * @param clientPort     the gateway's port for notebook clients ({@code KINDLING_GATEWAY_CLIENT_PORT})
 * @param agentPort      the gateway's port for relay agents ({@code KINDLING_GATEWAY_AGENT_PORT})
 * @param tlsDir         ca.pem, gateway.pem, gateway-key.pem ({@code KINDLING_GATEWAY_TLS_DIR}), or null
 * @param relayKeyFile   the key shared with the workers ({@code KINDLING_RELAY_KEY_FILE}), or null
 */
public record SessionsConfig(boolean gatewayEnabled, String gatewayHost, int clientPort, int agentPort, Path tlsDir,
        Path relayKeyFile) {

    public static final ConfigParameter<String> GATEWAY_ENABLED = ConfigParameter.string("KINDLING_GATEWAY_ENABLED", null,
            "true/false: start the session gateway in the api (default: true when KINDLING_GATEWAY_TLS_DIR and"
                    + " KINDLING_RELAY_KEY_FILE are set)");
    public static final ConfigParameter<String> GATEWAY_HOST = ConfigParameter.string("KINDLING_GATEWAY_HOST", "localhost",
            "the name clients and relay agents dial to reach the session gateway (in its certificate and every connectUrl)");
    public static final ConfigParameter<Integer> GATEWAY_CLIENT_PORT = ConfigParameter.integer("KINDLING_GATEWAY_CLIENT_PORT",
            15002, 0, 65535, "the session gateway's port for Spark Connect clients (0 = any free port)");
    public static final ConfigParameter<Integer> GATEWAY_AGENT_PORT = ConfigParameter.integer("KINDLING_GATEWAY_AGENT_PORT",
            15003, 0, 65535, "the session gateway's port for the workers' relay agents (0 = any free port)");
    public static final ConfigParameter<String> GATEWAY_TLS_DIR = ConfigParameter.string("KINDLING_GATEWAY_TLS_DIR", null,
            "directory of the gateway's ca.pem, gateway.pem and gateway-key.pem");
    public static final ConfigParameter<String> RELAY_KEY_FILE = ConfigParameter.string("KINDLING_RELAY_KEY_FILE", null,
            "file of the key the gateway and the workers share to derive each session's relay agent secret");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(GATEWAY_ENABLED, GATEWAY_HOST, GATEWAY_CLIENT_PORT,
            GATEWAY_AGENT_PORT, GATEWAY_TLS_DIR, RELAY_KEY_FILE);

    /** Sessions without a gateway in this api (connect URLs name localhost:15002). */
    public static final SessionsConfig NO_GATEWAY = new SessionsConfig(false, "localhost", 15002, 15003, null, null);

    public SessionsConfig {
        if (gatewayEnabled && (tlsDir == null || relayKeyFile == null)) {
            throw new ConfigException(GATEWAY_ENABLED.name() + "=true needs " + GATEWAY_TLS_DIR.name() + " and "
                    + RELAY_KEY_FILE.name());
        }
    }

    public static SessionsConfig from(EnvConfig config) {
        String tls = config.get(GATEWAY_TLS_DIR);
        String key = config.get(RELAY_KEY_FILE);
        String enabled = config.get(GATEWAY_ENABLED);
        boolean on;
        if (enabled == null || enabled.isBlank()) {
            on = tls != null && key != null;
        } else if ("true".equalsIgnoreCase(enabled.strip()) || "false".equalsIgnoreCase(enabled.strip())) {
            on = Boolean.parseBoolean(enabled.strip());
        } else {
            throw new ConfigException(GATEWAY_ENABLED.name() + ": expected true or false, was '" + enabled + "'");
        }
        return new SessionsConfig(on, config.get(GATEWAY_HOST), config.get(GATEWAY_CLIENT_PORT),
                config.get(GATEWAY_AGENT_PORT), tls == null ? null : Path.of(tls).toAbsolutePath().normalize(),
                key == null ? null : Path.of(key).toAbsolutePath().normalize());
    }

    /** The gateway's listeners on {@code bindHost} with the certificate and key of the TLS directory (they must exist). */
    public GatewayConfig gateway(String bindHost) {
        Path chain = tlsDir.resolve(GatewayCertificates.CHAIN_FILE);
        Path key = tlsDir.resolve(GatewayCertificates.KEY_FILE);
        for (Path file : List.of(chain, key)) {
            if (!Files.isReadable(file)) {
                throw new ConfigException(GATEWAY_TLS_DIR.name() + ": cannot read " + file
                        + " (./kindling up creates it; or set " + GATEWAY_ENABLED.name() + "=false)");
            }
        }
        return new GatewayConfig(bindHost, clientPort, agentPort, chain, key);
    }

    /** The URL a stock PySpark client connects a session with (the client appends {@code ;token=<token>}). */
    public String connectUrl(String sessionId) {
        return connectUrl(sessionId, clientPort);
    }

    /** As {@link #connectUrl(String)}, for a gateway listening on {@code port} (a free port picked at start). */
    public String connectUrl(String sessionId, int port) {
        return "sc://" + gatewayHost + ":" + port + "/;use_ssl=true;x-kindling-session=" + sessionId;
    }
}
