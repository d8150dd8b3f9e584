package io.kindling.worker.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One stream ({@code stdout} or {@code stderr}) of a standalone cluster-mode driver, copied from
 * its Spark worker's log into the attempt's spool file of the same name, which the log-shipper
 * ships. Knows the next byte of the driver's log to read; {@link #resume} derives it from a saved
 * {@link DriverLogRecord.Position} and the spool file's size now, so a follower started again
 * neither loses nor doubles a byte.
 */
final class DriverLogCopy {
    private final String stream;
    private final Path file;
    private long spoolSize;
    private long offset;

    private DriverLogCopy(String stream, Path file, long spoolSize, long offset) {
        this.stream = stream;
        this.file = file;
        this.spoolSize = spoolSize;
        this.offset = offset;
    }

    /**
     * The copy of {@code stream} into {@code file}: from the driver log's first byte when nothing was
     * saved, else from the saved offset plus whatever was appended after the saved position.
     */
    static DriverLogCopy resume(String stream, Path file, DriverLogRecord.Position saved) throws IOException {
        long size = Files.exists(file) ? Files.size(file) : 0;
        if (saved == null) {
            return new DriverLogCopy(stream, file, size, 0);
        }
        return new DriverLogCopy(stream, file, size, saved.offset() + Math.max(0, size - saved.spoolSize()));
    }

    String stream() {
        return stream;
    }

    /** The next byte of the driver's log to read. */
    long offset() {
        return offset;
    }

    DriverLogRecord.Position position() {
        return new DriverLogRecord.Position(spoolSize, offset);
    }

    /** The position to save before a notice of {@code length} bytes is written. */
    DriverLogRecord.Position positionAfterNotice(int length) {
        return new DriverLogRecord.Position(spoolSize + length, offset);
    }

    /** Appends {@code length} bytes of the driver's log; the log has then been read up to {@code newOffset}. */
    void append(byte[] bytes, int length, long newOffset) throws IOException {
        write(bytes, length);
        offset = newOffset;
    }

    /** Appends a line of Kindling's own (save {@link #positionAfterNotice} first). */
    void appendNotice(byte[] line) throws IOException {
        write(line, line.length);
    }

    private void write(byte[] bytes, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            spoolSize = channel.size();
        }
    }
}
