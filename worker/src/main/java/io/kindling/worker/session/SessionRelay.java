package io.kindling.worker.session;

import io.kindling.common.config.ConfigException;
import io.kindling.common.relay.RelayAgent;
import io.kindling.common.relay.RelayKey;
import io.kindling.common.relay.TrustedCa;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * Starts the relay agent of a session whose server answers on a loopback port: the one place the
 * worker derives a session's agent secret ({@link RelayKey#agentSecret}, session id = job id).
 * The key and the CA are read once, when the worker starts, so a bad file stops it at once.
 */
public final class SessionRelay {
    static final Duration REDIAL = Duration.ofSeconds(2);

    private final SessionRelayConfig config;
    private final SSLContext tls;
    private final RelayKey key;

    SessionRelay(SessionRelayConfig config, SSLContext tls, RelayKey key) {
        this.config = config;
        this.tls = tls;
        this.key = key;
    }

    /** Reads the CA and the relay key; a {@link ConfigException} says which file is unusable. */
    public static SessionRelay open(SessionRelayConfig config) {
        SSLContext tls;
        try {
            tls = TrustedCa.context(config.caFile());
        } catch (UncheckedIOException | IllegalArgumentException e) {
            throw new ConfigException("invalid value for " + SessionRelayConfig.CA_FILE.name() + ": " + e.getMessage());
        }
        try {
            return new SessionRelay(config, tls, RelayKey.read(config.relayKeyFile()));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("invalid value for " + SessionRelayConfig.RELAY_KEY_FILE.name() + ": cannot read a relay key from "
                    + config.relayKeyFile() + ": " + e.getMessage());
        }
    }

    /** A started agent serving {@code sessionId} from the server on 127.0.0.1:{@code serverPort}. */
    RelayAgent start(String sessionId, int serverPort) {
        return RelayAgent.start(new RelayAgent.Config(config.gatewayHost(), config.agentPort(), tls, sessionId,
                key.agentSecret(sessionId), serverPort, REDIAL));
    }

    /** The agent secret of {@code sessionId}: for a relay agent this worker starts elsewhere (a driver pod's sidecar). */
    public String agentSecret(String sessionId) {
        return key.agentSecret(sessionId);
    }

    /** Where the agents dial and the CA they trust. */
    public SessionRelayConfig config() {
        return config;
    }

    /** Where the agents dial, for log lines. */
    public String gateway() {
        return config.gatewayHost() + ":" + config.agentPort();
    }
}
