package io.kindling.api.logs;

import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * An attempt's Spark event log, as the api hands it out: the blobs its index lists, copied into a
 * temporary file (blocking; call it on the api's I/O pool). One blob (a plain event log) is
 * copied as it is; several (a rolling event log: {@code eventlog_v2_<appId>/events_<n>_<appId>[.zstd]}
 * and {@code appstatus_<appId>}) are zipped, each entry named by its path below
 * {@code eventlogs/<tenant>/}, so unzipping into a History Server's log directory restores the
 * layout Spark wrote.
 */
public final class EventLogArchive {
    static final int READ_BYTES = BlobStore.MAX_APPEND_BYTES;

    private final BlobStore blobs;

    public EventLogArchive(BlobStore blobs) {
        this.blobs = blobs;
    }

    /**
     * The downloaded event log.
     *
     * @param file     the temporary file; the caller deletes it
     * @param fileName the name to offer the client
     * @param zip      true if it is a zip of several files
     */
    public record Download(Path file, String fileName, boolean zip) {
    }

    /** The event log blobs the index lists, below their tenant's event log directory. */
    public static List<String> names(String tenant, LogIndex index) {
        String prefix = LogLayout.eventLog(tenant, "");
        return index.eventLogs().stream().map(path -> path.startsWith(prefix) ? path.substring(prefix.length()) : path)
                .toList();
    }

    /** Empty if the index lists no event log (none written, or the attempt has not ended yet). */
    public Optional<Download> download(String tenant, LogIndex index) throws IOException {
        List<String> paths = index.eventLogs();
        if (paths.isEmpty()) {
            return Optional.empty();
        }
        List<String> names = names(tenant, index);
        Path file = Files.createTempFile("kindling-eventlog-", paths.size() == 1 ? ".log" : ".zip");
        try (OutputStream out = Files.newOutputStream(file)) {
            if (paths.size() == 1) {
                copy(paths.get(0), out);
                String name = names.get(0);
                return Optional.of(new Download(file, name.substring(name.lastIndexOf('/') + 1), false));
            }
            try (ZipOutputStream zip = new ZipOutputStream(out)) {
                for (int i = 0; i < paths.size(); i++) {
                    zip.putNextEntry(new ZipEntry(names.get(i)));
                    copy(paths.get(i), zip);
                    zip.closeEntry();
                }
            }
            return Optional.of(new Download(file, index.attemptId() + "-eventlog.zip", true));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private void copy(String path, OutputStream out) throws IOException {
        long offset = 0;
        while (true) {
            Optional<BlobRead> read = blobs.read(path, offset, READ_BYTES);
            if (read.isEmpty()) {
                return; // an empty file that an older shipper listed without creating its blob
            }
            byte[] bytes = read.get().bytes();
            out.write(bytes);
            offset += bytes.length;
            if (bytes.length == 0 || read.get().reachedEnd(offset - bytes.length)) {
                return;
            }
        }
    }
}
