package io.kindling.dispatcher.lifecycle;

import io.kindling.common.pools.PoolConfig;
import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.AttemptId;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RetryPolicy;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.WorkerControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Drives a {@link JobStateMachine} with a fake clock and keeps every output, like the events topic would. */
final class Harness {
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    final List<PoolConfig> pools;
    JobStateMachine machine;
    Instant now = T0;
    final List<Output> all = new ArrayList<>();
    List<Output> last = List.of();

    Harness(PoolConfig... pools) {
        this.pools = pools.length == 0 ? List.of(PoolConfig.defaults("default")) : List.of(pools);
        this.machine = new JobStateMachine(this.pools);
    }

    static JobSpec spec(String pool, RetryPolicy retry, Integer priority, String tenant, Integer timeoutSeconds) {
        return new JobSpec("job", pool, new Application(ApplicationType.PYTHON, "/x/pi.py", null, null), null, null,
                tenant == null ? null : Map.of(JobSpec.TENANT_LABEL, tenant), null, null, null, null, null, null,
                timeoutSeconds, priority, retry).withTenant(tenant);
    }

    static JobSpec spec(RetryPolicy retry) {
        return spec("default", retry, null, null, null);
    }

    static RetryPolicy retry(Integer maxAttempts, Integer maxSubmissionAttempts, List<FailureReason> retryOn) {
        return new RetryPolicy(maxAttempts, maxSubmissionAttempts, 1, 10, retryOn);
    }

    private static Origin origin(String topic, String key) {
        return new Origin(topic, 0, 0L, key, new byte[] {'{', '}'});
    }

    List<Output> record(List<Output> out) {
        last = out;
        all.addAll(out);
        return out;
    }

    List<Output> submit(String jobId, JobSpec spec) {
        return record(machine.handle(new Input.Submit(new SubmitJob(jobId, spec, now), origin("commands", jobId)), now));
    }

    List<Output> cancel(String jobId) {
        return record(machine.handle(new Input.Cancel(new CancelJob(jobId, "user", now), origin("commands", jobId)), now));
    }

    List<Output> report(String jobId, int attempt, JobState state, FailureReason reason, Integer exitCode) {
        return record(machine.handle(new Input.Report(new AttemptReport(AttemptReport.Type.STATE, jobId, attempt,
                AttemptId.of(jobId, attempt), "default", "w1", state, now, reason, "m", exitCode, null, null),
                origin("reports", jobId)), now));
    }

    List<Output> heartbeat(String jobId, int attempt, JobState state) {
        return record(machine.handle(new Input.Report(new AttemptReport(AttemptReport.Type.HEARTBEAT, jobId, attempt,
                AttemptId.of(jobId, attempt), "default", "w1", state, now, null, null, null, null, null),
                origin("reports", jobId)), now));
    }

    List<Output> tick() {
        return record(machine.tick(now));
    }

    List<Output> advance(Duration d) {
        now = now.plus(d);
        return tick();
    }

    List<Output> advanceTo(Instant t) {
        now = t;
        return tick();
    }

    /** Starts attempt {@code attempt}: SUBMITTING then RUNNING. */
    void start(String jobId, int attempt) {
        report(jobId, attempt, JobState.SUBMITTING, null, null);
        report(jobId, attempt, JobState.RUNNING, null, null);
    }

    /** A fresh machine rebuilt from the state topic as it would stand (each job's latest snapshot), resumed at {@code now}. */
    void restart() {
        machine = new JobStateMachine(pools);
        // each job's latest record on the two topics: live jobs on the state topic, finished ones on theirs
        Map<String, JobSnapshot> live = new java.util.LinkedHashMap<>();
        Map<String, JobSnapshot> finished = new java.util.LinkedHashMap<>();
        for (Output o : all) {
            if (o instanceof Output.State st) {
                if (st.snapshot() == null || st.snapshot().state().terminal()) {
                    finished.put(st.jobId(), st.snapshot());
                    live.put(st.jobId(), null);
                } else {
                    live.put(st.jobId(), st.snapshot());
                }
            }
        }
        // as read back from the topics, through JSON: the live jobs at start, the finished ones after
        live.forEach((id, snap) -> {
            if (snap == null) {
                machine.forget(id);
            } else {
                machine.restore(roundTrip(snap));
            }
        });
        finished.forEach((id, snap) -> {
            if (snap == null) {
                machine.forgetFinished(id);
            } else {
                machine.restoreFinished(roundTrip(snap));
            }
        });
        machine.resume(now);
    }

    static JobSnapshot roundTrip(JobSnapshot snapshot) {
        return Json.decode(Json.encode(snapshot), JobSnapshot.class);
    }

    /** A fresh machine rebuilt from every event so far (start-up without a state topic), resumed at {@code now}. */
    void restartFromEvents() {
        machine = new JobStateMachine(pools);
        events(all).forEach(e -> machine.restore(Json.decode(Json.encode(e), JobEvent.class)));
        machine.resume(now);
    }

    static List<JobEvent> events(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.Event).map(o -> ((Output.Event) o).event()).toList();
    }

    static List<WorkerControl> controls(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.Control).map(o -> ((Output.Control) o).control()).toList();
    }

    static List<Output.DeadLettered> deadLetters(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.DeadLettered).map(o -> (Output.DeadLettered) o).toList();
    }

    static List<Output.Run> runs(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.Run).map(o -> (Output.Run) o).toList();
    }

    List<JobEvent> eventsOf(String jobId) {
        return events(all).stream().filter(e -> e.jobId().equals(jobId)).toList();
    }

    List<JobState> statesOf(String jobId) {
        return eventsOf(jobId).stream().map(JobEvent::state).toList();
    }

    JobEvent lastEvent(String jobId) {
        List<JobEvent> events = eventsOf(jobId);
        return events.get(events.size() - 1);
    }
}
