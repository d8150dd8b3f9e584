package io.kindling.shipper;

import io.kindling.blobstore.AppendConflictException;
import io.kindling.blobstore.BlobPaths;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Ships one attempt's spool directory: driver stdout and stderr while it runs, its Spark event
 * logs once it has ended, and its {@code index.json}; removes the directory once everything is in
 * the store. Each round is idempotent, so a round that fails half-way, or a shipper killed and
 * restarted, simply runs it again. One round at a time: {@link LogShipper} runs a round on one of
 * its shipping threads and awaits it before it looks at this attempt again.
 */
final class AttemptShipper {
    static final int STREAM_CHUNK_BYTES = 1024 * 1024;
    static final int EVENT_LOG_CHUNK_BYTES = BlobStore.MAX_APPEND_BYTES;
    static final String INPROGRESS_SUFFIX = ".inprogress";
    /** MDC keys every log line about an attempt carries. */
    static final String MDC_JOB_ID = "jobId";
    static final String MDC_ATTEMPT = "attempt";
    private static final byte[] NO_BYTES = new byte[0];
    private static final Logger LOG = LoggerFactory.getLogger(AttemptShipper.class);

    private final String attemptId;
    private final SpoolLayout spool;
    private final SpoolDirs dirs;
    private final BlobStore store;
    private final BlobCopier copier;
    private final Clock clock;
    private final boolean keepSpool;
    private final RetrySchedule retry;
    private final ShipperMetrics metrics;
    private volatile long lagBytes;
    /** Whether the last round found the driver ended ({@code exit.json}). */
    private volatile boolean ended;

    private SpoolAttempt attempt;
    /** Committed blob lengths as last seen, by blob path; absent means ask the store. */
    private final Map<String, Long> blobLengths = new HashMap<>();
    private Optional<LogIndex> lastIndex;
    /** Problems already logged at ERROR, so a stuck attempt does not flood the log. */
    private final Set<String> reported = new HashSet<>();
    private boolean finished;

    AttemptShipper(String attemptId, SpoolLayout spool, SpoolDirs dirs, BlobStore store, BlobCopier copier,
            Clock clock, ShipperConfig config, ShipperMetrics metrics) {
        this.metrics = metrics;
        this.attemptId = attemptId;
        this.spool = spool;
        this.dirs = dirs;
        this.store = store;
        this.copier = copier;
        this.clock = clock;
        this.keepSpool = config.keepSpool();
        this.retry = new RetrySchedule(config.initialBackoff(), config.maxBackoff());
    }

    /** True if a round should run now: not finished and not backing off. */
    boolean due() {
        return !finished && retry.due(clock.instant());
    }

    boolean finished() {
        return finished;
    }

    /** True once a round has seen the driver running: its new lines are what followers wait for. */
    boolean live() {
        return attempt != null && !ended;
    }

    /** One round. Failures are logged and retried after a backoff; nothing is dropped. */
    void round() {
        boolean firstRound = attempt == null;
        if (firstRound) {
            try {
                attempt = Json.decode(Files.readAllBytes(spool.attemptFile(attemptId)), SpoolAttempt.class);
            } catch (IOException | UncheckedIOException e) {
                failed("cannot read " + spool.attemptFile(attemptId), e);
                return;
            }
        }
        MDC.put(MDC_JOB_ID, attempt.jobId());
        MDC.put(MDC_ATTEMPT, Integer.toString(attempt.attempt()));
        try {
            if (firstRound) {
                LOG.debug("shipping attempt {} (tenant {}) from {}", attemptId, attempt.tenant(),
                        spool.attemptDir(attemptId));
            }
            ship();
            retry.succeeded();
        } catch (BlobStoreException e) {
            metrics.storeFailed();
            failed("the blob store failed", e);
        } catch (IOException | UncheckedIOException e) {
            failed("cannot read the spool", e);
        } catch (RuntimeException e) {
            failed("shipping failed", e);
        } finally {
            MDC.remove(MDC_JOB_ID);
            MDC.remove(MDC_ATTEMPT);
        }
    }

    private void ship() throws IOException {
        // exit.json is written last: seen before the sizes are taken, it makes them final
        boolean exited = Files.exists(spool.exitFile(attemptId));
        ended = exited;
        Map<String, Long> streams = new LinkedHashMap<>();
        boolean streamsShipped = true;
        long lag = 0;
        for (LogStream stream : LogStream.values()) {
            String blob = LogLayout.stream(attempt.tenant(), attempt.jobId(), attempt.attempt(), stream);
            Progress progress = copy(spool.stream(attemptId, stream.fileName()), BlobCopier.Target.PARTED_LOG, blob,
                    STREAM_CHUNK_BYTES);
            streams.put(stream.fileName(), progress.blobLength());
            streamsShipped &= progress.caughtUp();
            lag += Math.max(0, progress.fileSize() - progress.blobLength());
        }
        lagBytes = lag;
        List<String> eventLogs = List.of();
        boolean complete = false;
        if (exited) {
            EventLogs shipped = shipEventLogs();
            eventLogs = shipped.blobs();
            // an empty stream has no blob: the index's length 0 says it all, and the api reads it as empty
            complete = streamsShipped && shipped.all();
        }
        if (!exited && lastIndex == null && streams.values().stream().allMatch(length -> length == 0L)) {
            return; // a running attempt with nothing stored yet: an index would say nothing the store does not
        }
        writeIndex(new LogIndex(attempt.jobId(), attempt.attempt(), attempt.attemptId(), streams, eventLogs,
                complete, clock.instant()));
        if (complete) {
            finish(streams, eventLogs);
        }
    }

    /** Driver output in the spool not yet in the store, as the last round left it. */
    long lagBytes() {
        return lagBytes;
    }

    private Progress copy(Path file, BlobCopier.Target target, String blob, int chunkBytes) throws IOException {
        long before = blobLengths.getOrDefault(blob, -1L);
        Progress progress = copier.copy(file, target, blob, before, chunkBytes);
        blobLengths.put(blob, progress.blobLength());
        if (progress.blobLength() != before && LOG.isDebugEnabled()) {
            LOG.debug("{} now holds {} of {} bytes", blob, progress.blobLength(), progress.fileSize());
        }
        if (progress.blobAhead()) {
            reportOnce(blob, "the store holds " + progress.blobLength() + " bytes of " + blob + " but " + file
                    + " has only " + progress.fileSize() + "; the spool is kept until this is resolved");
        }
        return progress;
    }

    private record EventLogs(List<String> blobs, boolean all) {
    }

    private EventLogs shipEventLogs() throws IOException {
        List<String> blobs = new ArrayList<>();
        boolean all = true;
        for (EventLogFiles.EventLogFile file : EventLogFiles.list(spool.eventLogDir(attemptId))) {
            String blob = LogLayout.eventLog(attempt.tenant(), file.name());
            if (!BlobPaths.isValid(blob)) {
                reportOnce(blob, "cannot upload event log " + file.path() + ": '" + blob
                        + "' is not a valid blob path; the spool is kept");
                all = false;
                continue;
            }
            Progress progress = copy(file.path(), BlobCopier.Target.BLOB, blob, EVENT_LOG_CHUNK_BYTES);
            if (progress.caughtUp() && (progress.blobLength() > 0 || createEmpty(blob))) {
                blobs.add(blob);
            } else {
                all = false;
            }
        }
        return new EventLogs(blobs, all);
    }

    /** Creates an empty blob for an empty file (Spark's {@code appstatus_<appId>}); false if it turned out not to be empty. */
    private boolean createEmpty(String blob) {
        try {
            store.append(blob, 0, NO_BYTES, 0, 0);
            return true;
        } catch (AppendConflictException e) {
            blobLengths.put(blob, e.actualLength());
            return false;
        }
    }

    private void writeIndex(LogIndex index) {
        if (lastIndex != null && lastIndex.isPresent() && IndexWrites.sameContent(lastIndex.get(), index)) {
            return;
        }
        String path = LogLayout.index(attempt.tenant(), attempt.jobId(), attempt.attempt());
        // conditional: another shipper on this spool may write the same index (docs/operations.md)
        if (IndexWrites.write(store, path, index) == IndexWrites.Outcome.COMPLETED_BY_ANOTHER) {
            // another shipper completed the attempt (and may have removed its spool): never undo that
            LOG.info("attempt {} was completed by another shipper", attemptId);
            finished = true;
            return;
        }
        lastIndex = Optional.of(index);
        LOG.debug("wrote {}: streams {} complete {}", path, index.streams(), index.complete());
    }

    private void finish(Map<String, Long> streams, List<String> eventLogs) throws IOException {
        if (keepSpool) {
            LOG.debug("attempt {} shipped: {} bytes, event logs {}; spool kept", attemptId, streams, eventLogs);
        } else {
            dirs.remove(attemptId);
            LOG.debug("attempt {} shipped: {} bytes, event logs {}; spool removed", attemptId, streams, eventLogs);
        }
        finished = true;
    }

    private void failed(String what, Exception e) {
        // the known lengths stay: if an append landed though its response was lost, the next
        // append at the old position is refused with the blob's real length, and goes on from there
        Duration wait = retry.failed(clock.instant());
        String message = what + " for attempt " + attemptId + " (failure " + retry.failures() + "); retrying in "
                + wait.toMillis() + " ms";
        if (e instanceof RuntimeException && !(e instanceof BlobStoreException || e instanceof UncheckedIOException)) {
            LOG.warn(message, e);
        } else {
            LOG.warn("{}: {}", message, e.toString());
        }
    }

    private void reportOnce(String key, String message) {
        if (reported.add(key)) {
            LOG.error(message);
        }
    }
}
