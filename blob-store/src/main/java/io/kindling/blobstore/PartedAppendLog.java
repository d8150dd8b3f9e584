package io.kindling.blobstore;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One logical append-only log kept as a chain of append blobs, so that it can grow past Azure's
 * 50,000 committed blocks per append blob. Part 0 is the blob at {@code path} itself (a log that
 * never rolled over is one plain blob), part n &gt; 0 is {@code path.part-000n} ({@link #partPath}).
 * Offsets and lengths are logical: byte offsets across all parts.
 *
 * <p>The rule: a part is <em>sealed</em> once its committed block count reaches
 * {@code maxBlocksPerPart}; nothing is appended to a sealed part, and part n + 1 is created (by
 * the first append to it) only once part n is sealed. So every part before the last has its
 * final length, the logical length is the sum of the parts' lengths, and the parts are found by
 * probing {@code path}, {@code path.part-0001}, ... until one is missing. An append at logical
 * position P goes to the last part at {@code P - (lengths of the parts before it)}, guarded by
 * the store's {@code appendPosition} check, so a retried append still cannot duplicate and a
 * writer that restarts resumes at the exact byte. A writer that dies between sealing a part and
 * creating the next one leaves nothing to repair: the next append creates it.
 *
 * <p>A writer reads a part's length before its block count: an append at that length succeeds
 * only if nothing was appended since, so the count it saw is still the part's count and one
 * more block keeps the part within the limit.
 *
 * <p>Thread-safe. Lengths of sealed parts (final) and the writer's position are remembered in
 * small bounded caches, so a steady writer makes one store call per append and a reader one per
 * part it reads plus one probe for a next part.
 */
public final class PartedAppendLog {

    /** Parts are sealed this far below Azure's 50,000, leaving room for a writer racing another. */
    public static final long DEFAULT_MAX_BLOCKS_PER_PART = 49_000;
    /** Azure's limit of committed blocks per append blob. */
    public static final long AZURE_MAX_BLOCKS = 50_000;
    static final String PART_MARKER = ".part-";
    private static final int CACHED_PATHS = 4096;
    private static final byte[] NO_BYTES = new byte[0];

    private final BlobStore store;
    private final long maxBlocksPerPart;
    /** Lengths of the sealed parts of each path seen, in order (final, so never stale). */
    private final Map<String, long[]> sealed = lru();
    /** Where each path written through this instance ended after its last append here. */
    private final Map<String, Tail> tails = lru();

    /** The end of a log as a writer last saw it: its last part, where that part starts, its length and blocks. */
    private record Tail(int part, long start, long partLength, long blocks) {
        long length() {
            return start + partLength;
        }
    }

    public PartedAppendLog(BlobStore store) {
        this(store, DEFAULT_MAX_BLOCKS_PER_PART);
    }

    /** @param maxBlocksPerPart committed blocks after which a part is sealed (1..{@value #AZURE_MAX_BLOCKS}) */
    public PartedAppendLog(BlobStore store, long maxBlocksPerPart) {
        this.store = Objects.requireNonNull(store, "store");
        if (maxBlocksPerPart < 1 || maxBlocksPerPart > AZURE_MAX_BLOCKS) {
            throw new IllegalArgumentException("maxBlocksPerPart must be 1.." + AZURE_MAX_BLOCKS + ", was "
                    + maxBlocksPerPart);
        }
        this.maxBlocksPerPart = maxBlocksPerPart;
    }

    public long maxBlocksPerPart() {
        return maxBlocksPerPart;
    }

    /** The blob holding part {@code part} of the log at path: path itself for part 0, else {@code path.part-000n}. */
    public static String partPath(String path, int part) {
        BlobPaths.requireValid(path);
        if (part < 0) {
            throw new IllegalArgumentException("part must not be negative: " + part);
        }
        return part == 0 ? path : path + PART_MARKER + String.format("%04d", part);
    }

    /** The lengths of the log's parts, in order; empty if part 0 does not exist. The last one may still grow. */
    public long[] partLengths(String path) {
        long[] known = sealedLengths(path);
        long[] lengths = Arrays.copyOf(known, known.length + 1);
        int part = known.length;
        Optional<Long> current = stat(path, part);
        if (current.isEmpty()) {
            return Arrays.copyOf(known, part); // only when no part exists: part 0 is missing
        }
        lengths[part] = current.get();
        while (true) {
            Optional<Long> next = stat(path, part + 1);
            if (next.isEmpty()) {
                return lengths;
            }
            // part + 1 exists, so part was sealed before: its length now is final
            lengths[part] = stat(path, part).orElseThrow(() -> missingPart(path));
            remember(path, Arrays.copyOf(lengths, part + 1));
            part++;
            lengths = Arrays.copyOf(lengths, part + 1);
            lengths[part] = next.get();
        }
    }

    /** The logical length: the sum of the parts' lengths, 0 if the log does not exist. */
    public long length(String path) {
        return Arrays.stream(partLengths(path)).sum();
    }

    /**
     * Up to maxBytes from logical offset, across parts. Empty Optional if the log does not exist;
     * the {@link BlobRead#blobLength()} is the logical length when read.
     */
    public Optional<BlobRead> read(String path, long offset, int maxBytes) {
        Checks.checkRead(offset, maxBytes);
        long[] lengths = partLengths(path);
        if (lengths.length == 0) {
            return Optional.empty();
        }
        long total = Arrays.stream(lengths).sum();
        int count = (int) Math.max(0, Math.min(maxBytes, total - offset));
        byte[] bytes = new byte[count];
        int filled = 0;
        long start = 0;
        for (int part = 0; part < lengths.length && filled < count; part++) {
            long end = start + lengths[part];
            long position = offset + filled;
            if (position < end) {
                int want = (int) Math.min(count - filled, end - position);
                byte[] got = store.read(partPath(path, part), position - start, want).map(BlobRead::bytes)
                        .orElseThrow(() -> missingPart(path));
                if (got.length < want) {
                    throw new BlobStoreException("Part " + part + " of " + path + " is shorter than it was", false);
                }
                System.arraycopy(got, 0, bytes, filled, want);
                filled += want;
            }
            start = end;
        }
        return Optional.of(new BlobRead(bytes, total));
    }

    /**
     * Appends len bytes at exactly logical position expectedLength, to the last part, or to a new
     * part if the last one is sealed. Creates part 0 if the log does not exist and expectedLength
     * == 0. Throws {@link AppendConflictException} with the logical length if the log does not end
     * at expectedLength. An append of zero bytes only checks the position (and creates part 0 at 0).
     */
    public void append(String path, long expectedLength, byte[] data, int off, int len) {
        Checks.checkAppend(expectedLength, data, off, len);
        if (len == 0) {
            checkPosition(path, expectedLength);
            return;
        }
        Tail tail = tail(path, expectedLength);
        Tail target = tail.blocks() >= maxBlocksPerPart
                ? new Tail(tail.part() + 1, tail.length(), 0, 0)
                : tail;
        try {
            store.append(partPath(path, target.part()), target.partLength(), data, off, len);
        } catch (AppendConflictException e) {
            forget(path);
            throw new AppendConflictException(path, expectedLength, length(path));
        } catch (RuntimeException e) {
            forget(path); // the append may have landed: ask the store next time
            throw e;
        }
        if (target != tail) {
            long[] known = sealedLengths(path);
            if (known.length == tail.part()) {
                long[] grown = Arrays.copyOf(known, known.length + 1);
                grown[tail.part()] = tail.partLength();
                remember(path, grown);
            }
        }
        synchronized (tails) {
            tails.put(path, new Tail(target.part(), target.start(), target.partLength() + len, target.blocks() + 1));
        }
    }

    private void checkPosition(String path, long expectedLength) {
        if (expectedLength == 0) {
            try {
                store.append(path, 0, NO_BYTES, 0, 0); // part 0 empty: the log is empty (part 1 needs a sealed part 0)
                return;
            } catch (AppendConflictException e) {
                throw new AppendConflictException(path, expectedLength, length(path));
            }
        }
        long actual = length(path);
        if (actual != expectedLength) {
            throw new AppendConflictException(path, expectedLength, actual);
        }
    }

    /** The log's end as seen by the last append here if it ended at expectedLength, else asked of the store. */
    private Tail tail(String path, long expectedLength) {
        Tail cached;
        synchronized (tails) {
            cached = tails.get(path);
        }
        if (cached != null && cached.length() == expectedLength) {
            return cached;
        }
        long[] lengths = partLengths(path);
        int last = Math.max(0, lengths.length - 1);
        long start = 0;
        for (int part = 0; part < last; part++) {
            start += lengths[part];
        }
        long partLength = lengths.length == 0 ? 0 : lengths[last];
        if (start + partLength != expectedLength) {
            throw new AppendConflictException(path, expectedLength, start + partLength);
        }
        // the length first, then the count: see the class comment
        long blocks = lengths.length == 0 ? 0 : store.committedBlockCount(partPath(path, last));
        return new Tail(last, start, partLength, blocks);
    }

    private void forget(String path) {
        synchronized (tails) {
            tails.remove(path);
        }
    }

    private long[] sealedLengths(String path) {
        synchronized (sealed) {
            return sealed.getOrDefault(path, new long[0]);
        }
    }

    private void remember(String path, long[] lengths) {
        synchronized (sealed) {
            long[] known = sealed.get(path);
            if (known == null || known.length < lengths.length) {
                sealed.put(path, lengths);
            }
        }
    }

    /** The length of one part, empty if it does not exist. */
    private Optional<Long> stat(String path, int part) {
        return store.read(partPath(path, part), 0, 0).map(BlobRead::blobLength);
    }

    private static BlobStoreException missingPart(String path) {
        return new BlobStoreException("A part of " + path + " that existed is missing", false);
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > CACHED_PATHS;
            }
        };
    }
}
