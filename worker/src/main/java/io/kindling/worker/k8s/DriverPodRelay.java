package io.kindling.worker.k8s;

import io.kindling.common.config.ConfigException;
import io.kindling.worker.session.SessionRelay;
import io.kindling.worker.session.SessionRelayConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * What a session's driver pod needs to reach the session gateway: where the gateway's agent port
 * is, the Kindling CA (PEM) its sidecar trusts, the session's agent secret and how long the
 * server may take to become ready.
 *
 * @param agentSecret session id → its agent secret ({@link SessionRelay#agentSecret}); never logged
 */
public record DriverPodRelay(String gatewayHost, int agentPort, String caPem, UnaryOperator<String> agentSecret,
        Duration readyWithin) {

    /** The relay of a worker's {@link SessionRelay}; the CA file is read once, now. */
    public static DriverPodRelay of(SessionRelay relay, Duration readyWithin) {
        SessionRelayConfig config = relay.config();
        try {
            return new DriverPodRelay(config.gatewayHost(), config.agentPort(),
                    Files.readString(config.caFile(), StandardCharsets.US_ASCII), relay::agentSecret, readyWithin);
        } catch (IOException e) {
            throw new ConfigException("invalid value for " + SessionRelayConfig.CA_FILE.name() + ": cannot read "
                    + config.caFile() + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "DriverPodRelay[" + gatewayHost + ":" + agentPort + "]";
    }
}
