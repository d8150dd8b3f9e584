package io.kindling.worker.intake;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which records of each partition are done (their attempt started, or they were skipped) and
 * which are still pending, so that an offset is committed only once every record before it is
 * done. Attempts start out of order; commits never jump over one that has not started.
 * Used by the consumer thread only.
 */
final class OffsetTracker {
    private final Map<TopicPartition, TreeMap<Long, Boolean>> partitions = new HashMap<>();

    /** A record handed to an attempt that has not started yet. */
    void pending(TopicPartition partition, long offset) {
        partitions.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, false);
    }

    /** A pending record's attempt has started; ignored if the partition has been revoked since. */
    void done(TopicPartition partition, long offset) {
        TreeMap<Long, Boolean> offsets = partitions.get(partition);
        if (offsets != null && offsets.containsKey(offset)) {
            offsets.put(offset, true);
        }
    }

    /** A record that needs no attempt (unreadable, or a duplicate). */
    void skipped(TopicPartition partition, long offset) {
        partitions.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, true);
    }

    /** A pending record given back (it will be delivered again). */
    void remove(TopicPartition partition, long offset) {
        TreeMap<Long, Boolean> offsets = partitions.get(partition);
        if (offsets != null) {
            offsets.remove(offset);
        }
    }

    boolean hasPending(Collection<TopicPartition> which) {
        for (TopicPartition partition : which) {
            TreeMap<Long, Boolean> offsets = partitions.get(partition);
            if (offsets != null && offsets.containsValue(false)) {
                return true;
            }
        }
        return false;
    }

    /** The offsets that may be committed now (one past the last record of each done prefix), forgotten here. */
    Map<TopicPartition, OffsetAndMetadata> drainCommittable() {
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        partitions.forEach((partition, offsets) -> {
            Long last = null;
            while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
                last = offsets.pollFirstEntry().getKey();
            }
            if (last != null) {
                result.put(partition, new OffsetAndMetadata(last + 1));
            }
        });
        return result;
    }

    void forget(Collection<TopicPartition> which) {
        which.forEach(partitions::remove);
    }
}
