package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.SubmitJob;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job's trace context lives with its state: its run assignment carries the submission's trace, restart or not. */
class TraceStateTest {
    private static final Map<String, String> TRACE = Map.of("traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate", "vendor=1");

    private static List<Output> submitTraced(Harness h, String jobId) {
        return h.record(h.machine.handle(new Input.Submit(new SubmitJob(jobId, spec(null), h.now),
                new Origin("commands", 0, 0L, jobId, new byte[] {'{', '}'}, TRACE)), h.now));
    }

    private static List<Output.State> states(List<Output> outputs) {
        return outputs.stream().filter(o -> o instanceof Output.State).map(o -> (Output.State) o).toList();
    }

    @Test
    void aQueuedJobDispatchedAfterARestartCarriesTheTraceItWasSubmittedUnder() {
        Harness h = new Harness();
        List<Output> queued = submitTraced(h, "j");
        assertThat(queued).filteredOn(o -> o instanceof Output.Event).singleElement()
                .satisfies(o -> assertThat(((Output.Event) o).trace()).isEqualTo(TRACE));
        assertThat(states(queued)).singleElement().satisfies(s -> assertThat(s.snapshot().trace()).isEqualTo(TRACE));

        h.restart(); // from the state topic, through JSON
        List<Output> dispatched = h.tick();
        assertThat(Harness.runs(dispatched)).singleElement().satisfies(r -> assertThat(r.trace()).isEqualTo(TRACE));
        assertThat(dispatched).filteredOn(o -> o instanceof Output.Event).singleElement()
                .satisfies(o -> assertThat(((Output.Event) o).trace()).isEqualTo(TRACE));

        h.start("j", 1);
        List<Output> ended = h.report("j", 1, JobState.SUCCEEDED, null, 0);
        assertThat(ended).filteredOn(o -> o instanceof Output.Event).singleElement()
                .satisfies(o -> assertThat(((Output.Event) o).trace()).as("the last event").isEqualTo(TRACE));
        assertThat(states(ended)).singleElement().satisfies(s -> assertThat(s.snapshot().trace())
                .as("a finished job lets go of its trace").isNull());
    }

    @Test
    void snapshotsWithoutATraceAreReadAndWrittenAsBefore() {
        Harness h = new Harness();
        List<Output> queued = h.submit("j", spec(null));
        assertThat(Harness.runs(h.tick())).singleElement().satisfies(r -> assertThat(r.trace()).isEmpty());
        JobSnapshot snapshot = states(queued).getFirst().snapshot();
        String json = new String(Json.encode(snapshot), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("trace");
        assertThat(Json.decode(json.getBytes(StandardCharsets.UTF_8), JobSnapshot.class)).isEqualTo(snapshot);
    }
}
