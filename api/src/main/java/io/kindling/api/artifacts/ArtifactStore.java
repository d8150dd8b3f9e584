package io.kindling.api.artifacts;

import io.kindling.blobstore.AppendConflictException;
import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.common.artifacts.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores uploaded files in the blob store, content-addressed ({@link ArtifactRef#blobPath()}).
 * Blocking: call it on the api's I/O pool.
 *
 * <p>A file is hashed first (the hash names the blob), then copied in appends of at most
 * {@link BlobStore#MAX_APPEND_BYTES}, or with one {@code put} when small. A blob already as long
 * as the file holds the same content (its name is the content's hash) and is not written again.
 * A shorter one is the start of the same content, left by an upload that stopped or by one
 * running now: the copy continues from its end, and an append that loses a race resumes at the
 * winner's length, so concurrent uploads of one file never write a byte twice. Readers verify the
 * hash, so a blob still being written is never used.
 */
public final class ArtifactStore {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);
    /** Files up to this size are written with one {@code put}. */
    static final int PUT_LIMIT = 1024 * 1024;
    private static final int MAX_CONFLICTS = 100;

    private final BlobStore blobs;
    private final int chunkBytes;

    public ArtifactStore(BlobStore blobs) {
        this(blobs, BlobStore.MAX_APPEND_BYTES);
    }

    ArtifactStore(BlobStore blobs, int chunkBytes) {
        this.blobs = blobs;
        this.chunkBytes = Math.min(chunkBytes, BlobStore.MAX_APPEND_BYTES);
    }

    /** What was stored. {@code created} is false when the same content was already there. */
    public record Stored(ArtifactRef ref, long size, boolean created) {
    }

    /** Stores {@code file} as {@code name} of {@code tenant}. */
    public Stored store(String tenant, String name, Path file) throws IOException {
        long size = Files.size(file);
        ArtifactRef ref = new ArtifactRef(tenant, sha256(file), name);
        String path = ref.blobPath();
        long existing = blobs.length(path);
        if (existing == size && (size > 0 || blobs.get(path).isPresent())) {
            LOG.info("artifact {} ({} bytes) is already stored", ref, size);
            return new Stored(ref, size, false);
        }
        if (existing > size) {
            throw new IOException("blob " + path + " is longer (" + existing + " bytes) than its content (" + size + ")");
        }
        if (size <= Math.min(PUT_LIMIT, chunkBytes) && existing == 0) {
            blobs.put(path, Files.readAllBytes(file));
        } else {
            copy(file, path, existing, size);
        }
        LOG.info("stored artifact {} ({} bytes)", ref, size);
        return new Stored(ref, size, true);
    }

    private void copy(Path file, String path, long from, long size) throws IOException {
        byte[] buffer = new byte[chunkBytes];
        long position = from;
        int conflicts = 0;
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            while (position < size) {
                channel.position(position);
                int len = readFully(channel, buffer, (int) Math.min(buffer.length, size - position));
                try {
                    blobs.append(path, position, buffer, 0, len);
                    position += len;
                } catch (AppendConflictException e) {
                    if (++conflicts > MAX_CONFLICTS || e.actualLength() > size) {
                        throw new IOException("cannot store " + path + ": concurrent writers keep conflicting", e);
                    }
                    position = e.actualLength(); // someone else wrote the same bytes up to there
                }
            }
        }
    }

    private static int readFully(SeekableByteChannel channel, byte[] buffer, int len)
            throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, len);
        while (target.hasRemaining()) {
            if (channel.read(target) < 0) {
                throw new IOException("the uploaded file shrank while it was stored");
            }
        }
        return len;
    }

    /** Up to {@code maxBytes} of an artifact from {@code offset}; empty if it is not stored. */
    public Optional<BlobRead> read(ArtifactRef ref, long offset, int maxBytes) {
        return blobs.read(ref.blobPath(), offset, maxBytes);
    }

    /** The SHA-256 of a file, as 64 lowercase hex digits. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
