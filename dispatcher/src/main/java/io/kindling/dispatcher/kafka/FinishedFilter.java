package io.kindling.dispatcher.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * A Bloom filter of job ids that holds every key of the finished jobs' topic below the offsets it
 * {@link #covers} (and possibly more): an id it does not contain has certainly no finished job's
 * record there, so a record naming it needs no wait for the finished jobs' load. Guava's
 * {@link BloomFilter}: no false negatives, about 1 % false positives at its expected size (a
 * possible member simply waits for the load, as every unknown id did before).
 */
final class FinishedFilter {
    /** False positives at the expected size (the filter is sized for twice the ids it starts with). */
    static final double FALSE_POSITIVES = 0.01;
    /** Never sized for fewer ids than this. */
    static final int MIN_EXPECTED = 100_000;

    private final BloomFilter<CharSequence> bloom;
    private final Map<Integer, Long> covers;

    private FinishedFilter(BloomFilter<CharSequence> bloom, Map<Integer, Long> covers) {
        this.bloom = bloom;
        this.covers = new HashMap<>(covers);
    }

    /**
     * The rule while the finished jobs load: a record naming a job waits for them unless the machine
     * knows the job (live, or finished and loaded already) or the filter (null: none) says no
     * finished job has its id. So a replay of a finished job never runs it again, and a new id is
     * decided at once but for the filter's false positives.
     */
    static boolean waits(JobStateMachine machine, FinishedFilter filter, String jobId) {
        return !machine.knows(jobId) && (filter == null || !filter.certainlyNew(jobId));
    }

    /** A filter of {@code ids}, which hold every key of the finished jobs' topic below {@code covers} (partition → offset). */
    static FinishedFilter of(Collection<String> ids, Map<Integer, Long> covers) {
        long expected = Math.max(MIN_EXPECTED, 2L * ids.size());
        BloomFilter<CharSequence> bloom = BloomFilter.create(Funnels.stringFunnel(UTF_8), expected, FALSE_POSITIVES);
        ids.forEach(bloom::put);
        return new FinishedFilter(bloom, covers);
    }

    /** Reads a filter from its serialized bits ({@link #bits}). */
    static FinishedFilter read(byte[] bits, Map<Integer, Long> covers) {
        try {
            return new FinishedFilter(BloomFilter.readFrom(new ByteArrayInputStream(bits), Funnels.stringFunnel(UTF_8)),
                    covers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The filter's serialized bits (Guava's stable format). */
    byte[] bits() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            bloom.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Adds a key of the finished jobs' topic at or after {@link #covers} (the filter is extended, never trusted beyond). */
    void add(String jobId) {
        bloom.put(jobId);
    }

    /** True if no finished job's record with this id is below the covered offsets (no false answer: a Bloom filter). */
    boolean certainlyNew(String jobId) {
        return !bloom.mightContain(jobId);
    }

    /** For each partition of the finished jobs' topic, the offset below which every key is in the filter (absent: 0). */
    Map<Integer, Long> covers() {
        return Map.copyOf(covers);
    }

    /** Moves the covered offset of a partition forward once the keys up to it are added. */
    void covered(int partition, long offset) {
        covers.merge(partition, offset, Math::max);
    }

    /** Approximate number of distinct ids in the filter. */
    long approximateIds() {
        return bloom.approximateElementCount();
    }
}
