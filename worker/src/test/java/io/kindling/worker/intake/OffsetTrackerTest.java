package io.kindling.worker.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
    private static final TopicPartition P0 = new TopicPartition("runs", 0);
    private static final TopicPartition P1 = new TopicPartition("runs", 1);

    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void neverCommitsPastARecordWhoseAttemptHasNotStarted() {
        tracker.pending(P0, 5);
        tracker.pending(P0, 6);
        tracker.skipped(P0, 7);

        tracker.done(P0, 6);
        assertThat(tracker.drainCommittable()).isEmpty();
        assertThat(tracker.hasPending(List.of(P0))).isTrue();

        tracker.done(P0, 5);
        assertThat(tracker.drainCommittable()).isEqualTo(Map.of(P0, new OffsetAndMetadata(8)));
        assertThat(tracker.drainCommittable()).isEmpty();
        assertThat(tracker.hasPending(List.of(P0))).isFalse();
    }

    @Test
    void partitionsAreIndependent() {
        tracker.pending(P0, 0);
        tracker.pending(P1, 0);
        tracker.done(P1, 0);

        assertThat(tracker.drainCommittable()).isEqualTo(Map.of(P1, new OffsetAndMetadata(1)));
        assertThat(tracker.hasPending(List.of(P1))).isFalse();
        assertThat(tracker.hasPending(List.of(P0, P1))).isTrue();
    }

    @Test
    void forgottenPartitionsIgnoreLateNews() {
        tracker.pending(P0, 3);
        tracker.forget(List.of(P0));
        tracker.done(P0, 3);

        assertThat(tracker.drainCommittable()).isEmpty();
    }

    @Test
    void aRecordGivenBackIsNoLongerPending() {
        tracker.pending(P0, 3);
        tracker.remove(P0, 3);

        assertThat(tracker.hasPending(List.of(P0))).isFalse();
        assertThat(tracker.drainCommittable()).isEmpty();
    }
}
