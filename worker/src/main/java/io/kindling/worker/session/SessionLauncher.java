package io.kindling.worker.session;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.Adoption;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.Launcher;
import io.kindling.worker.launcher.SparkConnectServer;
import java.time.Duration;
import java.util.Optional;

/**
 * A launcher that serves sessions too: a session's attempt is launched (or adopted) by the pool's
 * launcher like a job's, and watched as a {@link SessionApp}, which reports it running only once
 * its Spark Connect server answers and its relay agent is started, and stops the agent when it
 * ends. Without relay settings a session is refused (SUBMISSION_FAILED) with a reason naming them.
 * Jobs pass through unchanged.
 */
public final class SessionLauncher implements Launcher {
    private final Launcher pool;
    private final SpoolLayout spool;
    private final SessionRelay relay;
    private final Duration readyWithin;

    /** @param relay null when the worker has no gateway settings (sessions are refused) */
    public SessionLauncher(Launcher pool, SpoolLayout spool, SessionRelay relay, Duration readyWithin) {
        this.pool = pool;
        this.spool = spool;
        this.relay = relay;
        this.readyWithin = readyWithin;
    }

    @Override
    public Launch launch(RunAssignment run) throws InterruptedException {
        if (!SparkConnectServer.isSession(run)) {
            return pool.launch(run);
        }
        if (relay == null) {
            return new Launch.Refused(SessionRelayConfig.notConfigured(), FailureReason.SUBMISSION_FAILED);
        }
        Launch launch = pool.launch(run);
        if (launch instanceof Launch.Started started) {
            Optional<Integer> port = SparkConnectServer.port(spool.attemptDir(run.attemptId()));
            if (port.isEmpty()) {
                pool.cancel(run.attemptId());
                return new Launch.Refused("the pool's launcher did not record the Spark Connect server's port");
            }
            return new Launch.Started(new SessionApp(run, started.app(), port.get(), relay, readyWithin, pool));
        }
        return launch;
    }

    @Override
    public Adoption adopt(RunAssignment run) throws InterruptedException {
        Adoption adoption = pool.adopt(run);
        if (!SparkConnectServer.isSession(run) || !(adoption instanceof Adoption.Running running)) {
            return adoption;
        }
        Optional<Integer> port = SparkConnectServer.port(spool.attemptDir(run.attemptId()));
        if (relay == null || port.isEmpty()) {
            // nothing to relay to: watched to its end (a cancel or its lifetime stops it), never reported READY
            return adoption;
        }
        return new Adoption.Running(new SessionApp(run, running.app(), port.get(), relay, readyWithin, pool));
    }

    @Override
    public boolean cancel(String attemptId) throws InterruptedException {
        return pool.cancel(attemptId);
    }

    @Override
    public void close() {
        pool.close();
    }
}
