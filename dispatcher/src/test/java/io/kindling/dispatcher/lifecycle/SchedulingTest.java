package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolBackend;
import io.kindling.common.pools.PoolConfig;
import io.kindling.common.pools.PoolScheduling;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulingTest {

    private static PoolConfig pool(Integer maxRunning, Integer perTenant, Integer queueTimeout, Integer aging) {
        return new PoolConfig("default", PoolBackend.defaults(),
                new PoolScheduling(maxRunning, perTenant, queueTimeout, null, aging, null));
    }

    private static List<String> dispatched(List<Output> out) {
        return Harness.runs(out).stream().map(r -> r.run().jobId()).toList();
    }

    @Test
    void aPoolRunsAtMostMaxRunningAndAFreedSlotDispatchesTheNext() {
        Harness h = new Harness(pool(2, null, null, null));
        h.submit("a", spec(null));
        h.submit("b", spec(null));
        h.submit("c", spec(null));
        assertThat(dispatched(h.tick())).containsExactly("a", "b");
        assertThat(h.tick()).isEmpty();
        h.start("a", 1);
        h.report("a", 1, JobState.SUCCEEDED, null, 0);
        assertThat(dispatched(h.tick())).containsExactly("c");
    }

    @Test
    void aTenantRunsAtMostMaxRunningPerTenantWhileOthersGoAhead() {
        Harness h = new Harness(pool(3, 1, null, null));
        h.submit("a1", spec("default", null, null, "alpha", null));
        h.submit("a2", spec("default", null, null, "alpha", null));
        h.submit("b1", spec("default", null, null, "beta", null));
        assertThat(dispatched(h.tick())).containsExactly("a1", "b1");
        h.start("a1", 1);
        h.report("a1", 1, JobState.FAILED, FailureReason.APP_FAILED, 1);
        assertThat(dispatched(h.tick())).containsExactly("a2");
    }

    @Test
    void higherPriorityGoesFirstThenSubmissionOrder() {
        Harness h = new Harness(pool(1, null, null, 3600));
        h.submit("busy", spec(null));
        h.tick();
        h.submit("low", spec("default", null, 0, null, null));
        h.now = h.now.plusSeconds(1);
        h.submit("high", spec("default", null, 5, null, null));
        h.submit("high2", spec("default", null, 5, null, null));
        h.now = h.now.plusSeconds(1);
        h.start("busy", 1);
        h.report("busy", 1, JobState.SUCCEEDED, null, 0);
        assertThat(dispatched(h.tick())).containsExactly("high");
    }

    @Test
    void agingLetsALowPriorityJobThatWaitedLongGoFirst() {
        Harness h = new Harness(pool(1, null, null, 10));
        h.submit("busy", spec(null));
        h.tick();
        h.submit("low", spec("default", null, 0, null, null));
        h.now = h.now.plusSeconds(100); // low gained 10 points
        h.submit("high", spec("default", null, 5, null, null));
        h.start("busy", 1);
        h.report("busy", 1, JobState.SUCCEEDED, null, 0);
        assertThat(dispatched(h.tick())).containsExactly("low");
    }

    @Test
    void aJobQueuedPastThePoolsQueueTimeoutFailsTimedOut() {
        Harness h = new Harness(pool(1, null, 60, null));
        h.submit("busy", spec(null));
        h.submit("waiting", spec(null));
        h.tick();
        assertThat(h.machine.nextDeadline(h.now)).contains(h.now.plusSeconds(60));
        assertThat(h.advance(Duration.ofSeconds(59))).isEmpty();
        h.advance(Duration.ofSeconds(1));
        assertThat(h.lastEvent("waiting").state()).isEqualTo(JobState.FAILED);
        assertThat(h.lastEvent("waiting").reason()).isEqualTo(FailureReason.TIMED_OUT);
        assertThat(h.lastEvent("waiting").message()).contains("waited in the queue");
        assertThat(h.machine.state("busy")).contains(JobState.DISPATCHED);
    }
}
