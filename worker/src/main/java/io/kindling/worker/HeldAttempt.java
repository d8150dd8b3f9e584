package io.kindling.worker;

import io.kindling.schemas.JobState;
import io.kindling.schemas.RunAssignment;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An attempt this worker holds (its SUBMITTING report was acknowledged, or it was adopted) until
 * its end is reported: what its heartbeats say, when a report about it was last acknowledged
 * (its lease), and whether it is being stopped.
 */
final class HeldAttempt {
    private final RunAssignment run;
    private final Instant startedAt;
    private final AtomicReference<StopRequest> stop = new AtomicReference<>();
    private volatile JobState state = JobState.SUBMITTING;
    private volatile String sparkAppId;
    private volatile Instant lastAck;
    private volatile Instant leaseWritten;
    private volatile boolean launched;
    private volatile boolean driverEnded;

    /**
     * @param lastAck when the report that made it held was sent (acknowledged since): its lease file
     *     needs writing only once a later report is acknowledged, as its shim, started after that,
     *     counts the lease from its own start until the file exists
     */
    HeldAttempt(RunAssignment run, Instant startedAt, Instant lastAck) {
        this.run = run;
        this.startedAt = startedAt;
        this.lastAck = lastAck;
        this.leaseWritten = lastAck;
    }

    RunAssignment run() {
        return run;
    }

    String attemptId() {
        return run.attemptId();
    }

    Instant startedAt() {
        return startedAt;
    }

    JobState state() {
        return state;
    }

    String sparkAppId() {
        return sparkAppId;
    }

    void running(String appId) {
        sparkAppId = appId;
        state = JobState.RUNNING;
    }

    /** A report sent at {@code sentAt} was acknowledged: the dispatcher's lease runs from then at the latest. */
    synchronized void acked(Instant sentAt) {
        if (sentAt.isAfter(lastAck)) {
            lastAck = sentAt;
        }
    }

    Instant lastAck() {
        return lastAck;
    }

    Instant leaseWritten() {
        return leaseWritten;
    }

    void leaseWritten(Instant at) {
        leaseWritten = at;
    }

    boolean launched() {
        return launched;
    }

    /** True once its driver has ended: nothing watches its lease any more. */
    boolean driverEnded() {
        return driverEnded;
    }

    void driverEnded(boolean value) {
        driverEnded = value;
    }

    void launched(boolean value) {
        launched = value;
    }

    /** True for the first request only: an attempt is stopped once, for the first reason. */
    boolean requestStop(StopRequest request) {
        return stop.compareAndSet(null, request);
    }

    StopRequest stop() {
        return stop.get();
    }
}
