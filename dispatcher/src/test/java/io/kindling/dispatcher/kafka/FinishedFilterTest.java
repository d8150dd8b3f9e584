package io.kindling.dispatcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.common.pools.PoolConfig;
import io.kindling.dispatcher.lifecycle.JobSnapshot;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
import io.kindling.schemas.JobState;
import io.kindling.schemas.MessageLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The finished jobs' filter: no finished id is ever "certainly new" (a replay always waits for the
 * load), a checkpoint read back answers as the filter did and covers the same offsets, and a
 * checkpoint with a chunk of another generation is not trusted.
 */
class FinishedFilterTest {
    private static final Instant NOW = Instant.parse("2026-12-05T16:00:00Z");

    private static List<String> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    private static JobSnapshot finished(String id) {
        return new JobSnapshot(id, JobState.SUCCEEDED, null, "default", "acme", "ab".repeat(32), null, null, 1, null, null,
                null, false, null, 0, 0, 0, false, null, null, false, NOW, null);
    }

    @Test
    void aFinishedIdIsNeverCertainlyNewAndFewNewIdsWait() {
        List<String> finished = ids("h", 300_000);
        FinishedFilter filter = FinishedFilter.of(finished, Map.of(0, 100_000L, 1, 200_000L));
        assertThat(finished).noneMatch(filter::certainlyNew);
        long waiting = ids("new-", 100_000).stream().filter(id -> !filter.certainlyNew(id)).count();
        assertThat(waiting).isLessThan(2_000); // sized for twice its ids at 1 %: well under 1 % here
    }

    @Test
    void aRecordWaitsUnlessTheMachineKnowsItsJobOrTheFilterRulesItOut() {
        JobStateMachine machine = new JobStateMachine(List.of(PoolConfig.defaults("default")));
        machine.restoreFinished(finished("loaded"));
        FinishedFilter filter = FinishedFilter.of(List.of("loaded", "not-loaded-yet"), Map.of());

        assertThat(FinishedFilter.waits(machine, null, "brand-new")).as("no checkpoint: every unknown id waits").isTrue();
        assertThat(FinishedFilter.waits(machine, filter, "loaded")).as("known: decided now").isFalse();
        assertThat(FinishedFilter.waits(machine, filter, "not-loaded-yet")).as("a replay waits for the load").isTrue();
        assertThat(FinishedFilter.waits(machine, filter, "brand-new")).as("certainly new: decided now").isFalse();
    }

    @Test
    void aCheckpointReadBackAnswersAsTheFilterDidAndCoversTheSameOffsets() {
        List<String> finished = ids("h", 1_000_000);
        FinishedFilter filter = FinishedFilter.of(finished, Map.of(0, 333_000L, 1, 334_000L, 2, 333_000L));
        List<ProducerRecord<String, byte[]>> records = FilterCheckpoint.records("state", filter, NOW);

        assertThat(records.size()).isGreaterThan(2);
        assertThat(records).allSatisfy(r -> {
            assertThat(r.partition()).isEqualTo(FilterCheckpoint.PARTITION);
            assertThat(FilterCheckpoint.reserved(r.key())).isTrue();
            assertThat(r.value().length).isLessThan(MessageLimits.KAFKA_RECORD_BYTES * 3 / 4);
        });
        assertThat(records.getLast().key()).isEqualTo(FilterCheckpoint.KEY);

        FilterCheckpoint read = new FilterCheckpoint();
        records.forEach(r -> read.accept(r.key(), r.value()));
        FinishedFilter back = read.latest().orElseThrow();
        assertThat(back.covers()).isEqualTo(filter.covers());
        assertThat(finished).noneMatch(back::certainlyNew);
        List<String> fresh = ids("fresh-", 10_000);
        assertThat(fresh.stream().map(back::certainlyNew).toList()).isEqualTo(fresh.stream().map(filter::certainlyNew).toList());

        // extended past its offsets (a start after a kill -9): the later keys are added, the offsets move on
        back.add("late-1");
        back.covered(1, 334_010L);
        assertThat(back.certainlyNew("late-1")).isFalse();
        assertThat(back.covers()).containsEntry(1, 334_010L);
    }

    @Test
    void aCheckpointWithAChunkOfAnotherGenerationIsNotUsed() {
        FinishedFilter filter = FinishedFilter.of(ids("h", 200_000), Map.of(0, 200_000L));
        List<ProducerRecord<String, byte[]>> first = FilterCheckpoint.records("state", filter, NOW);
        List<ProducerRecord<String, byte[]>> second = new ArrayList<>(FilterCheckpoint.records("state", filter, NOW));
        assertThat(second.size()).isGreaterThan(2);
        second.set(1, first.get(1)); // a header whose chunks were not all written with it

        FilterCheckpoint read = new FilterCheckpoint();
        second.forEach(r -> read.accept(r.key(), r.value()));
        assertThat(read.latest()).isEmpty();

        read.clear();
        assertThat(read.latest()).isEmpty();
        read.accept(FilterCheckpoint.KEY, "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(read.latest()).isEmpty();
    }
}
