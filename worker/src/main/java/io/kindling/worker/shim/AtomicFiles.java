package io.kindling.worker.shim;

import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Small JSON files in an attempt's spool directory, each written whole to a hidden temporary
 * file ({@link SpoolLayout#temporary}: in a directory the log-shipper kept, one that exists
 * already, overwritten), synced, then renamed into place, so a reader never sees half of one.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void writeJson(Path target, Object value) throws IOException {
        byte[] bytes = Json.encode(value);
        Path tmp = SpoolLayout.temporary(target);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
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

    /** The decoded file, or empty when it does not exist or cannot be read. */
    public static <T> Optional<T> readJson(Path file, Class<T> type) {
        try {
            return Optional.of(Json.decode(Files.readAllBytes(file), type));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
