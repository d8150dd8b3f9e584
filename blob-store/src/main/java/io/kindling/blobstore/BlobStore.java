package io.kindling.blobstore;

import java.util.List;
import java.util.Optional;

/**
 * Where Kindling keeps driver logs and their index files: append blobs written at an exact
 * position, and small whole blobs overwritten atomically, unconditionally or only over the
 * version that was read (so two writers of one index never undo each other).
 *
 * <p>Paths are relative, '/'-separated names checked by {@link BlobPaths#requireValid}; an
 * invalid path fails with {@link IllegalArgumentException}. Service and I/O failures are
 * {@link BlobStoreException}s whose {@link BlobStoreException#transientFailure()} says whether
 * backing off and retrying may help.
 */
public interface BlobStore extends AutoCloseable {

    /** Azure's append-block limit. */
    int MAX_APPEND_BYTES = 4 * 1024 * 1024;

    /** Committed length of the blob at path, 0 if it does not exist. */
    long length(String path);

    /**
     * Committed blocks of the append blob at path (Azure allows at most 50,000), 0 if it does not
     * exist. Every append of one or more bytes adds one block; a zero-byte append adds none.
     * {@link PartedAppendLog} rolls a log over to its next part before the limit.
     */
    long committedBlockCount(String path);

    /**
     * Appends len bytes at exactly position expectedLength (Azure appendPosition semantics).
     * Creates the blob if it does not exist and expectedLength == 0.
     * Throws AppendConflictException(actualLength) if the blob's length is not expectedLength
     * (so a retried append can never duplicate). len > MAX_APPEND_BYTES -> IllegalArgumentException.
     * An append of zero bytes only checks the position (and creates the blob at position 0).
     */
    void append(String path, long expectedLength, byte[] data, int off, int len);

    /**
     * Up to maxBytes from offset. Empty Optional if the blob does not exist; a BlobRead with
     * zero bytes if offset >= length.
     */
    Optional<BlobRead> read(String path, long offset, int maxBytes);

    /** Whole small blob (index/metadata files), overwritten atomically. */
    void put(String path, byte[] data);

    Optional<byte[]> get(String path);

    /** The whole blob with its current version, empty if it does not exist. */
    Optional<VersionedBlob> getVersioned(String path);

    /**
     * Replaces the whole blob only if it is still at {@code expectedVersion} (Azure If-Match), or,
     * when {@code expectedVersion} is null, creates it only if it does not exist (If-None-Match: *).
     * Atomic against every other writer of the store, in any process. Returns the new version;
     * throws {@link PreconditionFailedException} and writes nothing when the condition fails.
     */
    String putIfVersion(String path, byte[] data, String expectedVersion);

    /**
     * Paths that start with prefix (a plain string prefix: "a/b" matches "a/b/c" and "a/bc"),
     * sorted. The empty prefix lists every blob.
     */
    List<String> list(String prefix);

    @Override
    void close();
}
