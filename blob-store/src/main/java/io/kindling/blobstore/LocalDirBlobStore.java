package io.kindling.blobstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Blobs as files under a root directory, for a single machine (development, the embedded mode).
 *
 * <p>An append takes an in-JVM lock for the path, then an exclusive {@link java.nio.channels.FileLock} on the file
 * (so other processes appending through this class wait too), checks the length, writes and
 * forces the data to disk before returning. Reads in the same JVM wait for an append in
 * progress; a reader in another process may see the start of an append that has not returned.
 * {@code put} writes a temporary file, forces it, moves it over the blob atomically and forces
 * the directory; a conditional create links such a file to the blob's name instead (see
 * {@link #putIfVersion}). Temporary files are named with '~', which no blob path may contain, so
 * they never show in {@code list}.
 *
 * <p>Committed blocks are counted like Azure's: an append of one or more bytes adds one byte to
 * a sidecar file {@code <blob>~blocks} (also never listed), under the same locks, just before
 * the data is written; so after a crash the count may be one more than the appends that landed,
 * never fewer, and a log rolls over early rather than late.
 */
public final class LocalDirBlobStore implements BlobStore {

    private static final String TEMP_MARKER = "~";
    private static final String BLOCKS_SUFFIX = TEMP_MARKER + "blocks";
    private static final String LOCK_SUFFIX = TEMP_MARKER + "lock";
    private static final byte[] ONE_BLOCK = {1};
    /**
     * File locks belong to the whole JVM (a second lock on the same file from this JVM fails
     * instead of waiting), so the in-JVM locks in front of them are shared by every instance.
     */
    private static final ReentrantLock[] FILE_LOCKS = newLocks(64);

    private final Path root;
    private final Directories directories;

    public LocalDirBlobStore(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new BlobStoreException("Cannot create the blob directory " + this.root, e, false);
        }
        this.directories = new Directories(this.root);
    }

    public Path root() {
        return root;
    }

    @Override
    public long length(String path) {
        try {
            return sizeIfRegular(resolve(path));
        } catch (IOException e) {
            throw failure("length", path, e);
        }
    }

    @Override
    public long committedBlockCount(String path) {
        try {
            return sizeIfRegular(blocksFile(resolve(path)));
        } catch (IOException e) {
            throw failure("count the blocks of", path, e);
        }
    }

    /** A regular file's size; 0 if there is none (then one stat, and no exception thrown and caught). */
    private static long sizeIfRegular(Path file) throws IOException {
        try {
            return isPlainFile(file) ? Files.size(file) : 0L;
        } catch (NoSuchFileException e) {
            return 0L;
        }
    }

    /**
     * Whether {@code file} is a regular file and not a link. Asked first with a stat that follows
     * links: a missing file, the common answer, then costs no exception (the JDK makes one inside
     * each check that does not follow links and finds nothing); only a file found is asked again.
     */
    private static boolean isPlainFile(Path file) {
        return Files.isRegularFile(file) && !Files.isSymbolicLink(file);
    }

    private static Path blocksFile(Path file) {
        return file.resolveSibling(file.getFileName() + BLOCKS_SUFFIX);
    }

    @Override
    public void append(String path, long expectedLength, byte[] data, int off, int len) {
        Path file = resolve(path);
        Checks.checkAppend(expectedLength, data, off, len);
        ReentrantLock lock = lockFor(file);
        lock.lock();
        try {
            appendLocked(path, file, expectedLength, ByteBuffer.wrap(data, off, len));
        } catch (IOException e) {
            throw failure("append to", path, e);
        } finally {
            lock.unlock();
        }
    }

    private void appendLocked(String path, Path file, long expectedLength, ByteBuffer data) throws IOException {
        boolean created = false;
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            if (expectedLength != 0) {
                throw new AppendConflictException(path, expectedLength, 0);
            }
            created = createEmpty(file);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            channel.lock(); // released when the channel closes
            long actual = channel.size();
            if (actual != expectedLength) {
                throw new AppendConflictException(path, expectedLength, actual);
            }
            if (data.hasRemaining()) {
                countBlock(file);
            }
            long position = expectedLength;
            while (data.hasRemaining()) {
                position += channel.write(data, position);
            }
            channel.force(true);
        }
        if (created) {
            Directories.force(file.getParent());
        }
    }

    private static void countBlock(Path file) throws IOException {
        try (FileChannel blocks = FileChannel.open(blocksFile(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)) {
            blocks.write(ByteBuffer.wrap(ONE_BLOCK));
            blocks.force(true);
        }
    }

    /** Creates an empty file and its parents; false if another appender created it first. */
    private boolean createEmpty(Path file) throws IOException {
        try {
            directories.createIn(file, Files::createFile);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    @Override
    public Optional<BlobRead> read(String path, long offset, int maxBytes) {
        Path file = resolve(path);
        Checks.checkRead(offset, maxBytes);
        if (!isPlainFile(file)) {
            return Optional.empty();
        }
        ReentrantLock lock = lockFor(file);
        lock.lock();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long length = channel.size();
            int count = (int) Math.max(0, Math.min(maxBytes, length - offset));
            ByteBuffer buffer = ByteBuffer.allocate(count);
            long position = offset;
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    break;
                }
                position += n;
            }
            byte[] bytes = buffer.hasRemaining() ? Arrays.copyOf(buffer.array(), buffer.position()) : buffer.array();
            return Optional.of(new BlobRead(bytes, length));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("read", path, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void put(String path, byte[] data) {
        Path file = resolve(path);
        Objects.requireNonNull(data, "data");
        Path temp = tempFor(file);
        try {
            writeForced(temp, data);
            moveAtomically(temp, file);
            Directories.force(file.getParent());
        } catch (IOException e) {
            throw failure("put", path, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static Path tempFor(Path file) {
        return file.resolveSibling(file.getFileName() + TEMP_MARKER + UUID.randomUUID());
    }

    /** Writes a new file (and its parents) and forces it to disk. */
    private void writeForced(Path temp, byte[] data) throws IOException {
        try (FileChannel channel = directories.createIn(temp,
                file -> FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("The file system under " + to.getParent() + " cannot replace files atomically", e);
        }
    }

    @Override
    public Optional<byte[]> get(String path) {
        Path file = resolve(path);
        if (!isPlainFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("get", path, e);
        }
    }

    @Override
    public Optional<VersionedBlob> getVersioned(String path) {
        return get(path).map(data -> new VersionedBlob(data, version(data)));
    }

    /**
     * A create ({@code expectedVersion} null) hard-links a forced temporary file to the blob's
     * name, which fails if the name is taken: atomic against every other writer, in this process
     * or another, with no lock (a file system without hard links takes the way of a replace). A
     * replace, under the in-JVM lock and an exclusive file lock on the sidecar {@code <blob>~lock}
     * (so writers in other processes wait too), compares the current content's version and
     * replaces the blob atomically, as {@link #put} does. Blobs are never deleted, so a create
     * and a replace can never both succeed on one state.
     */
    @Override
    public String putIfVersion(String path, byte[] data, String expectedVersion) {
        Path file = resolve(path);
        Objects.requireNonNull(data, "data");
        if (expectedVersion == null && createdByLink(path, file, data)) {
            return version(data);
        }
        ReentrantLock lock = lockFor(file);
        lock.lock();
        try {
            try (FileChannel guard = directories.createIn(file.resolveSibling(file.getFileName() + LOCK_SUFFIX),
                    sidecar -> FileChannel.open(sidecar, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS))) {
                guard.lock(); // released when the channel closes
                Optional<String> current = get(path).map(LocalDirBlobStore::version);
                if (expectedVersion == null ? current.isPresent() : !current.equals(Optional.of(expectedVersion))) {
                    throw new PreconditionFailedException(path, expectedVersion);
                }
                put(path, data);
            }
            return version(data);
        } catch (IOException e) {
            throw failure("put", path, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Creates the blob from a forced temporary file by a hard link; false if this file system
     * cannot link (nothing was created then). Throws {@link PreconditionFailedException} if the
     * blob exists.
     */
    private boolean createdByLink(String path, Path file, byte[] data) {
        Path temp = tempFor(file);
        try {
            writeForced(temp, data);
            try {
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException e) {
                throw new PreconditionFailedException(path, null);
            } catch (UnsupportedOperationException | FileSystemException e) {
                return false; // no hard links here (EPERM, EXDEV, ...)
            }
        } catch (IOException e) {
            throw failure("put", path, e);
        } finally {
            deleteQuietly(temp);
        }
        Directories.force(file.getParent()); // the new name and the temporary file's removal, both at once
        return true;
    }

    /** The local store's version of a blob: the SHA-256 of its content. */
    static String version(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK has no SHA-256", e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        BlobPaths.requireValidPrefix(prefix);
        int lastSlash = prefix.lastIndexOf('/');
        Path start = lastSlash < 0 ? root : root.resolve(prefix.substring(0, lastSlash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<String> paths = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start)) {
            files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .map(file -> root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"))
                    .filter(name -> name.startsWith(prefix) && BlobPaths.isValid(name))
                    .forEach(paths::add);
        } catch (IOException | UncheckedIOException e) {
            throw new BlobStoreException("Cannot list blobs under '" + prefix + "' in " + root, e, false);
        }
        paths.sort(null);
        return List.copyOf(paths);
    }

    @Override
    public void close() {
        // nothing held open between calls
    }

    @Override
    public String toString() {
        return "LocalDirBlobStore[" + root + "]";
    }

    private Path resolve(String path) {
        BlobPaths.requireValid(path);
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("Invalid blob path '" + path + "': outside the blob directory");
        }
        return file;
    }

    private static ReentrantLock lockFor(Path file) {
        return FILE_LOCKS[Math.floorMod(file.hashCode(), FILE_LOCKS.length)];
    }

    private static ReentrantLock[] newLocks(int count) {
        ReentrantLock[] locks = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            locks[i] = new ReentrantLock();
        }
        return locks;
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // a leftover temporary file is never listed and is replaced by the next put
        }
    }

    private BlobStoreException failure(String operation, String path, IOException e) {
        return new BlobStoreException("Cannot " + operation + " blob " + path + " in " + root + ": " + e, e, false);
    }
}
