package io.kindling.shipper;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.blobstore.PreconditionFailedException;
import io.kindling.blobstore.VersionedBlob;
import io.kindling.common.logs.LogIndex;
import io.kindling.schemas.Json;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an attempt's {@code index.json} with conditional writes ({@link BlobStore#putIfVersion}),
 * so two shippers on one spool (or a restarted one beside its old self) never undo each other:
 * the index is replaced only over the version just read, a complete index is never replaced by
 * an incomplete one, and stream lengths and event logs only grow (merged with what is stored).
 */
public final class IndexWrites {
    private static final Logger LOG = LoggerFactory.getLogger(IndexWrites.class);
    /** Refusals in a row before giving up for this round (the caller backs off and retries). */
    static final int MAX_TRIES = 10;

    /** What became of a write. */
    public enum Outcome {
        /** The stored index now holds this one's content (merged with what was stored). */
        WRITTEN,
        /** The stored index already said the same. */
        UNCHANGED,
        /** Another writer completed the attempt; an incomplete index was not written over it. */
        COMPLETED_BY_ANOTHER
    }

    private IndexWrites() {
    }

    public static Outcome write(BlobStore store, String path, LogIndex index) {
        for (int tries = 1; ; tries++) {
            Optional<VersionedBlob> current = store.getVersioned(path);
            Optional<LogIndex> stored = current.flatMap(blob -> decode(path, blob.data()));
            if (stored.isPresent() && stored.get().complete() && !index.complete()) {
                return Outcome.COMPLETED_BY_ANOTHER;
            }
            LogIndex merged = stored.map(s -> merge(s, index)).orElse(index);
            if (stored.isPresent() && sameContent(stored.get(), merged)) {
                return Outcome.UNCHANGED;
            }
            try {
                store.putIfVersion(path, Json.encode(merged), current.map(VersionedBlob::version).orElse(null));
                return Outcome.WRITTEN;
            } catch (PreconditionFailedException e) {
                if (tries >= MAX_TRIES) {
                    throw new BlobStoreException("index " + path + " kept changing under " + MAX_TRIES
                            + " conditional writes in a row", e, true);
                }
                LOG.debug("index {} changed while writing it; reading it again", path);
            }
        }
    }

    /** {@code ours}, with every stream at least as long as stored and every stored event log kept. */
    static LogIndex merge(LogIndex stored, LogIndex ours) {
        Map<String, Long> streams = new LinkedHashMap<>(ours.streams());
        stored.streams().forEach((name, length) -> streams.merge(name, length, Math::max));
        Set<String> eventLogs = new LinkedHashSet<>(ours.eventLogs());
        eventLogs.addAll(stored.eventLogs());
        return new LogIndex(ours.jobId(), ours.attempt(), ours.attemptId(), streams, List.copyOf(eventLogs),
                ours.complete() || stored.complete(), ours.updatedAt());
    }

    /** Equal but for {@code updatedAt}. */
    public static boolean sameContent(LogIndex a, LogIndex b) {
        return Objects.equals(a.jobId(), b.jobId()) && a.attempt() == b.attempt()
                && Objects.equals(a.attemptId(), b.attemptId()) && a.streams().equals(b.streams())
                && Set.copyOf(a.eventLogs()).equals(Set.copyOf(b.eventLogs())) && a.complete() == b.complete();
    }

    private static Optional<LogIndex> decode(String path, byte[] bytes) {
        try {
            return Optional.of(Json.decode(bytes, LogIndex.class));
        } catch (UncheckedIOException | IllegalArgumentException e) {
            LOG.warn("the stored index {} cannot be read and will be rewritten: {}", path, e.toString());
            return Optional.empty();
        }
    }
}
