package io.kindling.worker;

import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolExit;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes the worker's two files in an attempt's spool directory (see {@link SpoolLayout}). Each is
 * written whole to a hidden temporary file, synced, then renamed into place, so a reader never
 * sees half of one.
 */
final class AttemptSpool {
    private final SpoolLayout layout;

    AttemptSpool(SpoolLayout layout) {
        this.layout = layout;
    }

    void writeAttempt(SpoolAttempt attempt) throws IOException {
        Files.createDirectories(layout.attemptDir(attempt.attemptId()));
        write(layout.attemptFile(attempt.attemptId()), Json.encode(attempt));
    }

    /** The last file written for an attempt: the driver has ended and no more bytes will come. */
    void writeExit(String attemptId, SpoolExit exit) throws IOException {
        Files.createDirectories(layout.attemptDir(attemptId));
        write(layout.exitFile(attemptId), Json.encode(exit));
    }

    /** True when the attempt ended on this host already (its exit.json exists). */
    boolean finished(String attemptId) {
        return Files.exists(layout.exitFile(attemptId));
    }

    private static void write(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
