package io.kindling.worker.session;

import io.kindling.common.relay.RelayAgent;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.LaunchedApp;
import io.kindling.worker.launcher.Launcher;
import io.kindling.worker.launcher.SparkConnectServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's Spark Connect server, launched or adopted: {@link #awaitAppId} returns (and so the
 * attempt is reported RUNNING, which the api shows as READY) only once the server has a Spark app
 * id, answers on its loopback port and its {@link RelayAgent} is started. A server that does not
 * answer within {@code readyWithin} is stopped and its attempt fails with SUBMISSION_FAILED (a
 * session's retry policy retries it). The agent is closed when the server ends, when the worker
 * stops watching (a restarted worker adopts the server and starts a new agent).
 */
final class SessionApp implements LaunchedApp {
    private static final Logger LOG = LoggerFactory.getLogger(SessionApp.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration AGENT_CONNECT = Duration.ofSeconds(30);

    private final RunAssignment run;
    private final LaunchedApp server;
    private final int port;
    private final SessionRelay relay;
    private final Duration readyWithin;
    private final Launcher launcher;
    private final long createdNanos = System.nanoTime();
    private final CompletableFuture<AppExit> exit = new CompletableFuture<>();
    private final Thread exitWatch;
    private volatile RelayAgent agent;
    private volatile String notReady;

    SessionApp(RunAssignment run, LaunchedApp server, int port, SessionRelay relay, Duration readyWithin, Launcher launcher) {
        this.run = run;
        this.server = server;
        this.port = port;
        this.relay = relay;
        this.readyWithin = readyWithin;
        this.launcher = launcher;
        this.exitWatch = Thread.ofVirtual().name("session-exit-" + run.attemptId()).start(() -> {
            try {
                exit.complete(server.awaitExit());
            } catch (InterruptedException e) {
                exit.cancel(false);
            } catch (RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
    }

    @Override
    public Optional<String> awaitAppId() throws InterruptedException {
        try {
            Optional<String> appId = server.awaitAppId();
            while (appId.isPresent() && !exit.isDone()) {
                if (RelayAgent.serverAnswers(port)) {
                    agent = relay.start(run.jobId(), port);
                    LOG.info("session {}: its Spark Connect server answers on {}:{}; relay agent started (gateway {})",
                            run.jobId(), SparkConnectServer.BINDING_ADDRESS, port, relay.gateway());
                    awaitAgentConnected();
                    return appId;
                }
                if (System.nanoTime() - createdNanos > readyWithin.toNanos()) {
                    notReady = "the Spark Connect server did not answer on " + SparkConnectServer.BINDING_ADDRESS + ":"
                            + port + " within " + readyWithin.toSeconds() + " s; it was stopped";
                    LOG.warn("session {}: {}", run.jobId(), notReady);
                    launcher.cancel(run.attemptId());
                    return Optional.empty();
                }
                Thread.sleep(POLL.toMillis());
            }
            return Optional.empty();
        } catch (InterruptedException | RuntimeException e) {
            stopWatching();
            throw e;
        }
    }

    @Override
    public AppExit awaitExit() throws InterruptedException {
        try {
            AppExit ended = exit.get();
            String message = notReady;
            return message == null ? ended : new AppExit(ended.exitCode(), false, message, FailureReason.SUBMISSION_FAILED);
        } catch (ExecutionException e) {
            throw new IllegalStateException("watching the session's server failed", e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            throw new InterruptedException("no longer watched");
        } finally {
            stopWatching();
        }
    }

    /**
     * Gives the agent a moment to be admitted by the gateway, so that a client connecting at READY
     * finds it; a gateway that is down does not hold the session back (the agent keeps dialling).
     */
    private void awaitAgentConnected() throws InterruptedException {
        long deadline = System.nanoTime() + AGENT_CONNECT.toNanos();
        while (!agent.connected() && System.nanoTime() < deadline && !exit.isDone()) {
            Thread.sleep(POLL.toMillis());
        }
        if (!agent.connected()) {
            LOG.warn("session {}: the gateway {} has not admitted its relay agent yet; it keeps dialling", run.jobId(),
                    relay.gateway());
        }
    }

    private void stopWatching() {
        exitWatch.interrupt();
        RelayAgent started = agent;
        if (started != null) {
            started.close();
            LOG.info("session {}: relay agent stopped", run.jobId());
        }
    }
}
