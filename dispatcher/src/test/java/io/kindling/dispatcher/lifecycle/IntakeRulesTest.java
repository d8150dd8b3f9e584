package io.kindling.dispatcher.lifecycle;

import static io.kindling.dispatcher.lifecycle.Harness.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolConfig;
import io.kindling.common.pools.PoolsFile;
import io.kindling.dispatcher.intake.Input;
import io.kindling.dispatcher.intake.Origin;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class IntakeRulesTest {

    @Test
    void identicalResubmitIsANoOpAndADifferentOneAConflictWithoutEvent() {
        Harness h = new Harness();
        h.submit("j", spec(null));
        h.tick();
        assertThat(h.submit("j", spec(null))).isEmpty();
        List<Output> out = h.submit("j", spec("default", null, 5, null, null));
        assertThat(Harness.events(out)).isEmpty();
        assertThat(Harness.deadLetters(out)).singleElement().satisfies(d -> {
            assertThat(d.letter().reason()).isEqualTo("CONFLICT");
            assertThat(d.letter().jobId()).isEqualTo("j");
        });
        assertThat(h.machine.state("j")).contains(JobState.DISPATCHED);
    }

    @Test
    void anUnknownPoolIsRejected() {
        Harness h = new Harness();
        List<Output> out = h.submit("j", spec("gpu", null, null, null, null));
        assertThat(Harness.deadLetters(out)).hasSize(1);
        assertThat(Harness.events(out)).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(JobState.REJECTED);
            assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
            assertThat(e.message()).contains("unknown pool 'gpu'");
        });
    }

    @Test
    void aPythonAppSentToAStandaloneClusterModePoolIsRejectedAndAJvmAppQueued() {
        Harness h = new Harness(pools("pools:\n  jvm: {master: 'spark://m:6066', deployMode: cluster, driverLogDir: /work}\n")
                .toArray(PoolConfig[]::new));
        List<Output> out = h.submit("py", spec("jvm", null, null, null, null));
        assertThat(Harness.deadLetters(out)).singleElement().satisfies(d -> {
            assertThat(d.letter().reason()).isEqualTo("INVALID");
            assertThat(d.letter().jobId()).isEqualTo("py");
        });
        assertThat(Harness.events(out)).singleElement().satisfies(e -> {
            assertThat(e.state()).isEqualTo(JobState.REJECTED);
            assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
            assertThat(e.message()).contains("Python applications cannot run in cluster mode on a standalone cluster"
                    + " (pool 'jvm'): use a client-mode pool");
        });

        JobSpec python = spec("jvm", null, null, null, null);
        JobSpec jvm = new JobSpec(python.name(), python.pool(), new Application(ApplicationType.JVM, "/x/pi.jar", "Pi", null),
                null, null, null, null, null, null, null, null, null, null, null, null);
        assertThat(Harness.events(h.submit("jar", jvm))).extracting(e -> e.state()).containsExactly(JobState.QUEUED);
    }

    @Test
    void aPythonAppInAClientModeOrYarnClusterPoolIsQueued() {
        Harness h = new Harness(pools("pools:\n  onprem: {master: 'spark://m:7077', deployMode: client}\n"
                + "  hadoop: {master: yarn, deployMode: cluster}\n").toArray(PoolConfig[]::new));
        assertThat(Harness.events(h.submit("a", spec("onprem", null, null, null, null))))
                .extracting(e -> e.state()).containsExactly(JobState.QUEUED);
        assertThat(Harness.events(h.submit("b", spec("hadoop", null, null, null, null))))
                .extracting(e -> e.state()).containsExactly(JobState.QUEUED);
    }

    private static java.util.Collection<PoolConfig> pools(String yaml) {
        return PoolsFile.parse(yaml, "test").pools().values();
    }

    @Test
    void anInvalidRecordIsDeadLetteredWithItsBytesAndRejectsOnlyAJobThatDoesNotExist() {
        Harness h = new Harness();
        byte[] bytes = {1, 2, 3};
        Input.Invalid bad = new Input.Invalid(new Origin("c", 2, 9L, "k", bytes), "k", "SCHEMA_VIOLATION", "bad", List.of());
        List<Output> out = h.record(h.machine.handle(bad, h.now));
        assertThat(Harness.deadLetters(out)).singleElement().satisfies(d -> {
            assertThat(Base64.getDecoder().decode(d.letter().originalValueBase64())).isEqualTo(bytes);
            assertThat(d.letter().sourcePartition()).isEqualTo(2);
            assertThat(d.letter().sourceOffset()).isEqualTo(9L);
        });
        assertThat(Harness.events(out)).extracting(e -> e.state()).containsExactly(JobState.REJECTED);

        h.submit("ok", spec(null));
        Input.Invalid badForExisting = new Input.Invalid(new Origin("c", 0, 1L, "ok", bytes), "ok", "INVALID", "bad", List.of());
        out = h.record(h.machine.handle(badForExisting, h.now));
        assertThat(Harness.deadLetters(out)).hasSize(1);
        assertThat(Harness.events(out)).isEmpty();
        assertThat(h.machine.state("ok")).contains(JobState.QUEUED);
    }
}
