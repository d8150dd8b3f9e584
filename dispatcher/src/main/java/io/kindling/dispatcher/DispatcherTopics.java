package io.kindling.dispatcher;

import io.kindling.common.kafka.KafkaConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/** The topics only the dispatcher uses, with their settings (documented in docs/architecture.md). */
public final class DispatcherTopics {
    /**
     * {@code dispatcher.state}: compacted (only each live job's latest snapshot matters; a finished
     * job is a tombstone), cleaned early (small segments, low dirty ratio) so a restart reads little
     * more than the live jobs; tombstones kept an hour (a day's would be a day of finished jobs to
     * read at every start): a reader behind by more still learns that a job ended from its record
     * on {@code dispatcher.finished}, which supersedes the live one.
     */
    static final Map<String, String> STATE = Map.of(
            "cleanup.policy", "compact",
            "segment.ms", String.valueOf(60 * 60 * 1000),
            "min.cleanable.dirty.ratio", "0.1",
            "delete.retention.ms", String.valueOf(60 * 60 * 1000),
            "max.message.bytes", String.valueOf(1024 * 1024 + 64 * 1024));

    /**
     * {@code dispatcher.finished}: compacted, one small record per finished job until its retention
     * ends (then a tombstone, kept a day); daily segments, as its records come once per job; loaded
     * in the background after a start.
     */
    static final Map<String, String> FINISHED = Map.of(
            "cleanup.policy", "compact",
            "segment.ms", String.valueOf(24 * 60 * 60 * 1000),
            "delete.retention.ms", String.valueOf(24 * 60 * 60 * 1000),
            "max.message.bytes", String.valueOf(1024 * 1024));

    /** {@code dispatcher.leader}: one partition, no records; only its consumer group matters. */
    static final Map<String, String> LEADER = Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(60 * 60 * 1000));

    private DispatcherTopics() {
    }

    /** The dispatcher's own topics with their settings (also for a benchmark that writes them before it starts). */
    public static List<NewTopic> own(KafkaConfig kafka) {
        return List.of(
                new NewTopic(kafka.topics().dispatcherState(), kafka.partitions(), kafka.replicationFactor()).configs(STATE),
                new NewTopic(kafka.topics().dispatcherFinished(), kafka.partitions(), kafka.replicationFactor()).configs(FINISHED),
                new NewTopic(kafka.topics().dispatcherLeader(), 1, kafka.replicationFactor()).configs(LEADER));
    }
}
