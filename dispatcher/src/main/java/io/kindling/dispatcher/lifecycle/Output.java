package io.kindling.dispatcher.lifecycle;

import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.WorkerControl;
import java.util.Map;

/**
 * One record the state machine decided to publish; the dispatcher writes a batch of them in one transaction.
 * An event's or run's {@code trace} is its job's W3C trace context (empty if none), for the record's headers.
 */
public sealed interface Output {

    /** A job's state change, on {@code jobs.events}. */
    record Event(JobEvent event, Map<String, String> trace) implements Output {
        public Event {
            trace = trace == null ? Map.of() : trace;
        }

        public Event(JobEvent event) {
            this(event, Map.of());
        }
    }

    /** An attempt to run, on {@code runs.<pool>}. */
    record Run(RunAssignment run, Map<String, String> trace) implements Output {
        public Run {
            trace = trace == null ? Map.of() : trace;
        }

        public Run(RunAssignment run) {
            this(run, Map.of());
        }
    }

    /** An instruction to the worker holding an attempt, on {@code workers.control}. */
    record Control(WorkerControl control) implements Output {
    }

    /** A record that could not be accepted, on {@code jobs.deadletter}. */
    record DeadLettered(DeadLetter letter) implements Output {
    }

    /**
     * A job's state for the dispatcher's compacted topics: a live job's on the state topic; a
     * finished job's on the finished jobs' topic (and a tombstone on the state topic); a null
     * snapshot is a tombstone on the finished jobs' topic (the job is forgotten).
     */
    record State(String jobId, JobSnapshot snapshot) implements Output {
    }
}
