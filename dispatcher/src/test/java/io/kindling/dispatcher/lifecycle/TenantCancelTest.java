package io.kindling.dispatcher.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolConfig;
import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.JobState;
import io.kindling.schemas.SubmitJob;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cancel read from a tenant's commands topic acts on that tenant's jobs only. */
class TenantCancelTest {
    private final Instant now = Instant.parse("2026-12-05T10:00:00Z");
    private final JobStateMachine machine = new JobStateMachine(List.of(PoolConfig.defaults("default")));

    private static Origin origin(String topic) {
        return new Origin(topic, 0, 0L, "j", new byte[] {'{', '}'});
    }

    @Test
    void anotherTenantsCancelIsTreatedAsAnUnknownJob() {
        machine.handle(new Input.Submit(new SubmitJob("j", Harness.spec("default", null, null, "globex", null), now),
                origin("k.jobs.commands")), now);

        List<Output> foreign = machine.handle(new Input.Cancel(new CancelJob("j", "x", now),
                origin("k.tenants.acme.commands"), "acme"), now);
        assertThat(Harness.events(foreign)).isEmpty();
        assertThat(Harness.deadLetters(foreign)).singleElement()
                .satisfies(d -> assertThat(d.letter().reason()).isEqualTo("NOT_FOUND"));

        List<Output> own = machine.handle(new Input.Cancel(new CancelJob("j", "x", now),
                origin("k.tenants.globex.commands"), "globex"), now);
        assertThat(Harness.events(own)).extracting(e -> e.state()).containsExactly(JobState.CANCELLED);
    }
}
