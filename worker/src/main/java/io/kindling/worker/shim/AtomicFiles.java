package io.kindling.worker.shim;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Small JSON files in an attempt's spool directory, each written whole to a hidden temporary
 * file ({@link SpoolLayout#temporary}: in a directory the log-shipper kept, one that exists
 * already, overwritten if it is a regular file), synced, then renamed into place, so a reader
 * never sees half of one.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void writeJson(Path target, Object value) throws IOException {
        byte[] bytes = Json.encode(value);
        Path tmp = SpoolLayout.temporary(target);
        // a link or a pipe left at the temporary name would take the write elsewhere or block it: only a regular
        // file is written over, anything else goes first (a directory cannot, and fails the write). The first check
        // follows links, so a missing one costs no exception (the JDK makes one inside a check that does not)
        if (!Files.isRegularFile(tmp) || Files.isSymbolicLink(tmp)) {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            // written over what the file held, then cut: a kept file's first block is not freed and taken again
            channel.truncate(bytes.length);
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The decoded file, or empty when it does not exist, cannot be read or is not a regular file
     * (none of these files is anything else: a link is not followed, a pipe not waited on). A
     * missing file, the common case of a record not written yet, costs no exception: the check
     * follows links, and the open that does not refuses a link.
     */
    public static <T> Optional<T> readJson(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(Json.decode(in.readAllBytes(), type));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
