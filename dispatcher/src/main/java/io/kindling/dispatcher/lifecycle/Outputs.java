package io.kindling.dispatcher.lifecycle;

import io.kindling.common.deadletter.DeadLetters;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.Violation;
import io.kindling.schemas.WorkerControl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Collects what one input (or one timer round) leads to. An event is applied to its job as it is
 * collected, so the state machine's memory is always the fold of the events it published.
 */
final class Outputs {
    private final List<Output> list = new ArrayList<>();
    private final Function<Job, Duration> lease;
    private final Consumer<Job> changed;

    Outputs(Function<Job, Duration> lease, Consumer<Job> changed) {
        this.lease = lease;
        this.changed = changed;
    }

    void event(Job job, JobEvent event) {
        Map<String, String> trace = job.trace; // before the event: a job that ends lets go of its trace
        job.apply(event, lease.apply(job));
        changed.accept(job);
        list.add(new Output.Event(event, trace));
    }

    /** The job changed in a way no event shows (a cancel requested): its snapshot is written. */
    void changed(Job job) {
        changed.accept(job);
    }

    void add(Output output) {
        list.add(output);
    }

    void run(Job job, RunAssignment run) {
        list.add(new Output.Run(run, job.trace));
    }

    void control(WorkerControl control) {
        list.add(new Output.Control(control));
    }

    void deadLetter(Origin origin, String jobId, String reason, String message, List<Violation> details, Instant now) {
        list.add(new Output.DeadLettered(DeadLetters.of(origin.source(), jobId, reason, message, details, now)));
    }

    List<Output> list() {
        return List.copyOf(list);
    }
}
