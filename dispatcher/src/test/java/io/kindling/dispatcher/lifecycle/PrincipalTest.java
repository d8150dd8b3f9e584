package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.SubmitJob;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The principal of a submit or cancel command is recorded in the QUEUED and CANCELLED events. */
class PrincipalTest {
    private static Origin origin(String key) {
        return new Origin("commands", 0, 0L, key, new byte[] {'{', '}'});
    }

    @Test
    void queuedAndCancelledOfAWaitingJobNameWhoDidIt() {
        Harness h = new Harness();
        List<Output> queued = h.record(h.machine.handle(new Input.Submit(
                new SubmitJob("j", spec(null).withTenant("acme"), h.now, "alice"), origin("j")), h.now));
        JobEvent first = Harness.events(queued).get(0);
        assertThat(first.state()).isEqualTo(JobState.QUEUED);
        assertThat(first.principal()).isEqualTo("alice");
        assertThat(first.tenant()).isEqualTo("acme");
        assertThat(Json.decode(Json.encode(first), JobEvent.class).principal()).isEqualTo("alice");

        List<Output> cancelled = h.record(h.machine.handle(new Input.Cancel(
                new CancelJob("j", "no", h.now, "bob"), origin("j")), h.now));
        assertThat(Harness.events(cancelled)).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(JobState.CANCELLED);
            assertThat(e.principal()).isEqualTo("bob");
        });
    }

    @Test
    void theCancelOfARunningJobNamesWhoAskedWhenTheWorkerConfirms() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        h.start("j", 1);
        h.record(h.machine.handle(new Input.Cancel(new CancelJob("j", null, h.now, "carol"), origin("j")), h.now));
        h.report("j", 1, JobState.CANCELLED, FailureReason.CANCELLED, 143);
        assertThat(h.lastEvent("j").state()).isEqualTo(JobState.CANCELLED);
        assertThat(h.lastEvent("j").principal()).isEqualTo("carol");
    }
}
