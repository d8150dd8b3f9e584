package io.kindling.api.sessions;

import io.kindling.api.gateway.BearerAuthenticator;
import io.kindling.api.gateway.SessionActivity;
import io.kindling.api.gateway.SessionGateway;
import io.kindling.api.view.JobViewStore;
import io.kindling.common.config.ConfigException;
import io.kindling.common.relay.RelayKey;
import io.kindling.schemas.CancelJob;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api's part of interactive sessions besides its endpoints: the session gateway (when
 * enabled), its routes from the job views, and the idle sweeper fed by the gateway's activity.
 * {@link #start()} binds the gateway's ports (blocking: not on an event loop); {@link #close()}
 * closes it and waits.
 */
public final class Sessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
    /** How often READY sessions are checked for idleness. */
    static final long IDLE_SWEEP_MILLIS = 5_000;
    private final SessionsConfig config;
    private final String bindHost;
    private final JobViewStore views;
    private final BearerAuthenticator authenticator;
    private final SessionActivity activity;
    private final IdleSweeper sweeper;
    private final RelayKey key;
    private volatile SessionGateway gateway;
    private volatile long sweepTimer = -1;

    /**
     * {@code bindHost}: the interface the gateway listens on (the api's); {@code cancels} publishes
     * the idle sweeper's cancels.
     */
    public Sessions(SessionsConfig config, String bindHost, JobViewStore views, BearerAuthenticator authenticator,
            Function<CancelJob, CompletionStage<?>> cancels, Clock clock) {
        this.config = config;
        this.bindHost = bindHost;
        this.views = views;
        this.authenticator = authenticator;
        this.activity = new SessionActivity(clock);
        this.sweeper = new IdleSweeper(views, activity, cancels, clock);
        this.key = config.gatewayEnabled() ? readKey(config) : null;
    }

    private static RelayKey readKey(SessionsConfig config) {
        try {
            return RelayKey.read(config.relayKeyFile());
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(SessionsConfig.RELAY_KEY_FILE.name() + ": cannot read a relay key from "
                    + config.relayKeyFile() + ": " + e.getMessage());
        }
    }

    /** Starts the gateway if it is enabled. */
    public synchronized void start() {
        if (!config.gatewayEnabled() || gateway != null) {
            return;
        }
        gateway = SessionGateway.start(config.gateway(bindHost), new ViewSessionRoutes(views, key), authenticator, activity);
        LOG.info("session gateway on {}: clients on port {}, relay agents on port {}; connect URLs name {}", bindHost,
                gateway.clientPort(), gateway.agentPort(), config.gatewayHost());
    }

    /** True if this api runs the gateway (and so the idle sweeper has calls to judge by). */
    public boolean gatewayEnabled() {
        return config.gatewayEnabled();
    }

    /** The URL a client connects session {@code id} with (the gateway's bound client port once it listens). */
    public String connectUrl(String id) {
        SessionGateway running = gateway;
        return running == null ? config.connectUrl(id) : config.connectUrl(id, running.clientPort());
    }

    /** The running gateway, or null. */
    public SessionGateway gateway() {
        return gateway;
    }

    /** One idle sweep (only where the gateway runs: elsewhere no call is seen). */
    public void sweepIdle() {
        if (gateway != null) {
            sweeper.sweep();
        }
    }

    /** Sweeps idle sessions every {@value #IDLE_SWEEP_MILLIS} ms on {@code executor} (if the gateway runs). */
    public void sweepIdleEvery(Vertx vertx, Executor executor) {
        if (!config.gatewayEnabled()) {
            return;
        }
        sweepTimer = vertx.setPeriodic(IDLE_SWEEP_MILLIS, id -> {
            try {
                executor.execute(this::sweepIdle);
            } catch (RejectedExecutionException e) {
                LOG.debug("executor full: idle sessions are looked for on the next tick");
            }
        });
    }

    /** Stops the idle sweeps (a sweep under way finishes). */
    public void stopSweeping(Vertx vertx) {
        long timer = sweepTimer;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    @Override
    public synchronized void close() {
        SessionGateway running = gateway;
        gateway = null;
        if (running != null) {
            running.close();
        }
    }
}
