package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.retry;
import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolBackend;
import io.kindling.common.pools.PoolConfig;
import io.kindling.common.pools.PoolScheduling;
import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.SchemaValidator;
import io.kindling.schemas.SchemaValidator.Schema;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every record the state machine publishes is valid against its JSON Schema in {@code schemas/}. */
class OutputContractTest {
    private final SchemaValidator validator = new SchemaValidator();

    @Test
    void everyKindOfOutputMatchesItsSchema() {
        Harness h = new Harness(new PoolConfig("default", PoolBackend.defaults(),
                new PoolScheduling(2, null, 60, null, null, null)));
        h.submit("a", spec(retry(2, null, null)));
        h.submit("b", spec(null));
        h.submit("c", spec(null));
        h.tick();
        h.start("a", 1);
        h.report("a", 1, JobState.FAILED, FailureReason.APP_FAILED, 3);
        h.start("b", 1);
        h.cancel("b");
        h.report("b", 1, JobState.CANCELLED, FailureReason.CANCELLED, 143);
        h.cancel("nope");
        h.submit("b", spec(retry(5, null, null)));
        h.record(h.machine.handle(new Input.Invalid(new Origin("t", 0, 3L, null, new byte[] {9}), null, "MALFORMED_JSON",
                "bad", List.of()), h.now));
        h.advance(Duration.ofSeconds(5));
        h.start("a", 2);
        h.advance(Duration.ofSeconds(61)); // a: lease expired; c: queue timeout or dispatched
        Set<Class<?>> kinds = h.all.stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(kinds).contains(Output.Event.class, Output.Run.class, Output.Control.class, Output.DeadLettered.class,
                Output.State.class);
        for (Output output : h.all) {
            Object value;
            Schema schema;
            switch (output) {
                case Output.Event e -> { value = e.event(); schema = Schema.JOB_EVENT; }
                case Output.Run r -> { value = r.run(); schema = Schema.RUN_ASSIGNMENT; }
                case Output.Control c -> { value = c.control(); schema = Schema.WORKER_CONTROL; }
                case Output.DeadLettered d -> { value = d.letter(); schema = Schema.DEAD_LETTER; }
                case Output.State st -> {
                    // internal to the dispatcher: it must read back what it writes
                    if (st.snapshot() != null) {
                        assertThat(Json.decode(Json.encode(st.snapshot()), JobSnapshot.class)).isEqualTo(st.snapshot());
                    }
                    continue;
                }
            }
            assertThat(validator.validate(schema, Json.mapper().valueToTree(value))).as("%s", Json.encodeToString(value))
                    .isEmpty();
        }
    }
}
