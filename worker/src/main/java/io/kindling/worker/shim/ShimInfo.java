package io.kindling.worker.shim;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code shim.json}: which processes run an attempt. Start instants identify a pid beyond doubt
 * (pids are reused), so a restarted worker adopts the shim only if both match.
 *
 * @param startedAt when the worker started the shim
 * @param execAt    when the shim exec'd spark-submit (its cost is {@code execAt - startedAt})
 */
public record ShimInfo(long shimPid, Instant shimStartedAt, long childPid, Instant childStartedAt, Instant startedAt,
        Instant execAt) {

    /** The shim, if that process still runs. */
    public Optional<ProcessHandle> liveShim() {
        return live(shimPid, shimStartedAt);
    }

    /** spark-submit, if that process still runs. */
    public Optional<ProcessHandle> liveChild() {
        return live(childPid, childStartedAt);
    }

    static Optional<ProcessHandle> live(long pid, Instant startedAt) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> startedAt == null || p.info().startInstant().map(startedAt::equals).orElse(true));
    }
}
