package io.kindling.shipper;

import io.kindling.blobstore.AppendConflictException;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.PartedAppendLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a local file that only grows into an append blob, or into a driver log kept as a
 * {@link PartedAppendLog} (parts rolled over before Azure's 50,000 blocks per blob). The
 * committed (logical) length is the progress: every append is made at the position the log is
 * known to end, so an append retried after a lost response is refused by the store instead of
 * doubling bytes, and a copy restarted after a crash continues at the exact byte, in whichever
 * part that is. Thread-safe: each copy reads into a buffer of its own, so attempts are shipped
 * side by side.
 */
final class BlobCopier {
    private static final Logger LOG = LoggerFactory.getLogger(BlobCopier.class);

    /** What a copy writes: a driver log of parts, or one plain append blob (event logs, read as files). */
    enum Target {
        PARTED_LOG, BLOB
    }

    private final BlobStore store;
    private final PartedAppendLog logs;
    private final long maxBytesPerCopy;
    private final ShipperMetrics metrics;

    /** @param maxBytesPerCopy at most this many bytes per {@link #copy} call, so one big file cannot hold up the others */
    BlobCopier(BlobStore store, PartedAppendLog logs, long maxBytesPerCopy, ShipperMetrics metrics) {
        this.store = store;
        this.logs = logs;
        this.maxBytesPerCopy = maxBytesPerCopy;
        this.metrics = metrics;
    }

    /**
     * Appends the bytes of file that the blob does not hold yet, in appends of at most
     * chunkBytes, up to the file's size when the call starts (and at most maxBytesPerCopy).
     *
     * @param knownLength the blob's (or log's logical) length as last seen, or -1 to ask the store
     */
    Progress copy(Path file, Target target, String blobPath, long knownLength, int chunkBytes) throws IOException {
        if (chunkBytes < 1 || chunkBytes > BlobStore.MAX_APPEND_BYTES) {
            throw new IllegalArgumentException("chunkBytes must be 1.." + BlobStore.MAX_APPEND_BYTES + ", was "
                    + chunkBytes);
        }
        long fileSize = sizeOf(file);
        long offset = knownLength >= 0 ? knownLength
                : target == Target.PARTED_LOG ? logs.length(blobPath) : store.length(blobPath);
        if (offset >= fileSize) {
            return new Progress(offset, fileSize);
        }
        long limit = Math.min(fileSize, offset + maxBytesPerCopy);
        // a live attempt's few new lines need a few bytes, not a whole chunk
        byte[] buffer = new byte[(int) Math.min(chunkBytes, limit - offset)];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (offset < limit) {
                int length = read(channel, buffer, offset, (int) Math.min(buffer.length, limit - offset));
                if (length == 0) {
                    break; // the file shrank under us; the caller sees blobAhead or not caughtUp
                }
                try {
                    if (target == Target.PARTED_LOG) {
                        logs.append(blobPath, offset, buffer, 0, length);
                    } else {
                        store.append(blobPath, offset, buffer, 0, length);
                    }
                    offset += length;
                    metrics.shipped(length);
                } catch (AppendConflictException e) {
                    LOG.info("{} ends at {}, not {} (an earlier append landed); continuing from there",
                            blobPath, e.actualLength(), offset);
                    offset = e.actualLength();
                    limit = Math.min(fileSize, offset + maxBytesPerCopy);
                }
            }
        } catch (NoSuchFileException e) {
            // removed between size and open: nothing more to copy now
        }
        return new Progress(offset, fileSize);
    }

    private static int read(FileChannel channel, byte[] buffer, long position, int length) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
        while (target.hasRemaining()) {
            int n = channel.read(target, position + target.position());
            if (n < 0) {
                break;
            }
        }
        return target.position();
    }

    /** The file's size, 0 when there is none: asked first, so a file not written (yet) costs no exception. */
    private static long sizeOf(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0L;
        }
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0L;
        }
    }
}
