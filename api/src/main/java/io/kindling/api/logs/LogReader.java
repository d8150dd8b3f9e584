package io.kindling.api.logs;

import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.Json;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Blocking reads of an attempt's logs from the blob store, for the api's log handlers (call it
 * on the api's I/O pool, never on an event loop). A stream is a {@link PartedAppendLog} (append
 * blobs rolled over before Azure's block limit); offsets are logical byte offsets across its
 * parts, so a client that asks again from the offset it reached misses nothing and gets nothing
 * twice, whichever part the bytes are in.
 */
public final class LogReader {
    /** How much is read per step when scanning backwards for line ends. */
    static final int TAIL_SCAN_BYTES = 64 * 1024;
    private static final byte NEWLINE = '\n';

    private final BlobStore blobs;
    private final PartedAppendLog logs;

    public LogReader(BlobStore blobs) {
        this.blobs = blobs;
        this.logs = new PartedAppendLog(blobs);
    }

    /** One attempt's stream. */
    public record Target(String tenant, String jobId, int attempt, LogStream stream) {
        String path() {
            return LogLayout.stream(tenant, jobId, attempt, stream);
        }

        String indexPath() {
            return LogLayout.index(tenant, jobId, attempt);
        }
    }

    /**
     * Bytes read from a stream.
     *
     * @param offset     where the bytes start
     * @param bytes      the bytes, possibly none
     * @param blobLength the stream's stored (logical) length when read (0 if it has no blob yet)
     * @param exists     the stream's first blob exists
     * @param indexed    the attempt has an index (the shipper has stored some of its output, or seen it end)
     * @param complete   the attempt has ended, every byte is stored, and these bytes reach the end
     */
    public record Chunk(long offset, byte[] bytes, long blobLength, boolean exists, boolean indexed, boolean complete) {
        public long nextOffset() {
            return offset + bytes.length;
        }

        /** True if more bytes are stored right now than this chunk returned. */
        public boolean moreStored() {
            return nextOffset() < blobLength;
        }
    }

    /** The attempt's {@code index.json}, if the shipper has written one (an unreadable one counts as absent). */
    public Optional<LogIndex> index(String tenant, String jobId, int attempt) {
        return blobs.get(LogLayout.index(tenant, jobId, attempt)).flatMap(LogReader::decode);
    }

    /** Up to limit bytes from offset. */
    public Chunk read(Target target, long offset, int limit) {
        // the index first: once it says complete, every byte is stored, so the length read next is final
        Optional<LogIndex> index = index(target.tenant(), target.jobId(), target.attempt());
        boolean ended = index.map(LogIndex::complete).orElse(false);
        Optional<BlobRead> read = logs.read(target.path(), offset, limit);
        byte[] bytes = read.map(BlobRead::bytes).orElse(new byte[0]);
        long length = read.map(BlobRead::blobLength).orElse(0L);
        return new Chunk(offset, bytes, length, read.isPresent(), index.isPresent(),
                ended && offset + bytes.length >= length);
    }

    /** Up to limit bytes starting at the first of the stream's last {@code lines} lines. */
    public Chunk tail(Target target, int lines, int limit) {
        long start = tailOffset(target, lines);
        return read(target, start, limit);
    }

    /**
     * Where the last {@code lines} lines start: scans backwards from the end, {@value #TAIL_SCAN_BYTES}
     * bytes at a time, for line ends. A newline as the very last byte ends the last line; an
     * unfinished last line counts as a line.
     */
    public long tailOffset(Target target, int lines) {
        long length = logs.length(target.path());
        if (lines <= 0) {
            return length;
        }
        int found = 0;
        long position = length;
        while (position > 0) {
            int size = (int) Math.min(TAIL_SCAN_BYTES, position);
            long from = position - size;
            byte[] bytes = logs.read(target.path(), from, size).map(BlobRead::bytes).orElse(new byte[0]);
            for (int i = bytes.length - 1; i >= 0; i--) {
                if (bytes[i] == NEWLINE && from + i != length - 1 && ++found == lines) {
                    return from + i + 1;
                }
            }
            position = from;
        }
        return 0;
    }

    private static Optional<LogIndex> decode(byte[] json) {
        try {
            return Optional.of(Json.decode(json, LogIndex.class));
        } catch (UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
