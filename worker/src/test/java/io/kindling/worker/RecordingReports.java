package io.kindling.worker;

import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.JobState;
import io.kindling.worker.report.ReportPublisher;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A {@link ReportPublisher} for tests: keeps what it publishes; can fail, go down, hold back or observe publishes. */
final class RecordingReports implements ReportPublisher {
    private final List<AttemptReport> reports = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final CountDownLatch gate = new CountDownLatch(1);
    private volatile JobState heldState;
    private volatile boolean down;
    private volatile Consumer<AttemptReport> observer = report -> { };
    private volatile boolean closed;

    /** The next {@code n} publishes fail. */
    RecordingReports failing(int n) {
        failuresLeft.set(n);
        return this;
    }

    /** Every publish fails while down (Kafka unreachable). */
    void down(boolean value) {
        down = value;
    }

    /** STATE publishes of {@code state} are acknowledged only after {@link #release()}. */
    RecordingReports holding(JobState state) {
        heldState = state;
        return this;
    }

    /** Runs {@code action} on each report as it is acknowledged. */
    RecordingReports observing(Consumer<AttemptReport> action) {
        observer = action;
        return this;
    }

    void release() {
        gate.countDown();
    }

    @Override
    public CompletableFuture<Void> publish(AttemptReport report) {
        if (down || failuresLeft.getAndDecrement() > 0) {
            return CompletableFuture.failedFuture(new IllegalStateException("broker unavailable (test)"));
        }
        if (report.type() == AttemptReport.Type.STATE && report.state() == heldState) {
            return CompletableFuture.runAsync(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                accept(report);
            });
        }
        accept(report);
        return CompletableFuture.completedFuture(null);
    }

    private void accept(AttemptReport report) {
        observer.accept(report);
        reports.add(report);
    }

    List<AttemptReport> all() {
        return List.copyOf(reports);
    }

    /** STATE reports of a job, in order. */
    List<AttemptReport> states(String jobId) {
        return reports.stream().filter(r -> r.jobId().equals(jobId) && r.type() == AttemptReport.Type.STATE).toList();
    }

    List<JobState> stateNames(String jobId) {
        return states(jobId).stream().map(AttemptReport::state).toList();
    }

    List<AttemptReport> heartbeats(String jobId) {
        return reports.stream().filter(r -> r.jobId().equals(jobId) && r.type() == AttemptReport.Type.HEARTBEAT)
                .toList();
    }

    AttemptReport last(String jobId) {
        List<AttemptReport> mine = states(jobId);
        return mine.isEmpty() ? null : mine.get(mine.size() - 1);
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }
}
