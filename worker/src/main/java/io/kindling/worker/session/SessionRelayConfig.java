package io.kindling.worker.session;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How the worker's relay agents reach the session gateway (interactive sessions, docs/sessions.md).
 * {@code KINDLING_GATEWAY_AGENT_ADDRESS} turns them on and then needs {@code KINDLING_GATEWAY_CA_FILE}
 * and {@code KINDLING_RELAY_KEY_FILE}; without it the worker serves jobs only and refuses a
 * session's attempt with a reason naming the three keys.
 *
 * @param gatewayHost  the gateway's host name, as its certificate names it
 * @param agentPort    the gateway's agent port
 * @param caFile       the Kindling CA that signed the gateway's certificate
 * @param relayKeyFile the key shared with the gateway (agent secret = HMAC-SHA256(key, session id))
 */
public record SessionRelayConfig(String gatewayHost, int agentPort, Path caFile, Path relayKeyFile) {
    public static final ConfigParameter<String> AGENT_ADDRESS = ConfigParameter.string("KINDLING_GATEWAY_AGENT_ADDRESS",
            null, "host:port of the session gateway's agent port, which the worker's relay agents dial out to");
    public static final ConfigParameter<String> CA_FILE = ConfigParameter.string("KINDLING_GATEWAY_CA_FILE", null,
            "PEM file of the certificate authority that signed the session gateway's certificate");
    public static final ConfigParameter<String> RELAY_KEY_FILE = ConfigParameter.string("KINDLING_RELAY_KEY_FILE", null,
            "file holding the relay key shared by the api's gateway and the workers (a secret, by reference)");
    public static final ConfigParameter<Integer> READY_SECONDS = ConfigParameter.integer(
            "KINDLING_WORKER_SESSION_READY_SECONDS", 300, 10, 86_400,
            "how long a session's Spark Connect server may take to answer on its port before the attempt fails"
                    + " (SUBMISSION_FAILED)");

    public static final List<ConfigParameter<?>> PARAMETERS = List.of(AGENT_ADDRESS, CA_FILE, RELAY_KEY_FILE, READY_SECONDS);

    /**
     * The relay settings, or empty when {@code KINDLING_GATEWAY_AGENT_ADDRESS} is not set (the relay
     * key alone is the api's gateway's setting, in a process running both); with the address, the CA
     * file and the relay key are required.
     */
    public static Optional<SessionRelayConfig> from(EnvConfig env) {
        String address = env.get(AGENT_ADDRESS);
        if (address == null) {
            return Optional.empty();
        }
        String ca = env.get(CA_FILE);
        String key = env.get(RELAY_KEY_FILE);
        List<String> missing = new ArrayList<>();
        if (ca == null) {
            missing.add(CA_FILE.name());
        }
        if (key == null) {
            missing.add(RELAY_KEY_FILE.name());
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(AGENT_ADDRESS.name() + " is set: interactive sessions need "
                    + String.join(" and ", missing) + " as well");
        }
        int colon = address.lastIndexOf(':');
        String host = colon > 0 ? address.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isBlank() || port < 1 || port > 65_535) {
            throw new ConfigException("invalid value for " + AGENT_ADDRESS.name() + ": expected host:port, was '"
                    + address + "'");
        }
        return Optional.of(new SessionRelayConfig(host, port, Path.of(ca).toAbsolutePath(), Path.of(key).toAbsolutePath()));
    }

    /** Why a worker without relay settings refuses a session's attempt. */
    public static String notConfigured() {
        return "this worker cannot serve interactive sessions: it has no session gateway settings ("
                + AGENT_ADDRESS.name() + ", " + CA_FILE.name() + ", " + RELAY_KEY_FILE.name() + ")";
    }

    /** {@code KINDLING_WORKER_SESSION_READY_SECONDS}. */
    public static Duration readyWithin(EnvConfig env) {
        return Duration.ofSeconds(env.get(READY_SECONDS));
    }
}
