package io.kindling.worker.artifacts;

import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.common.artifacts.ArtifactRef;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches uploaded artifacts ({@code artifact://<tenant>/<sha256>/<name>}) from the blob store
 * into a local cache shared by every attempt, {@code <cacheDir>/<sha256>/<name>}, so a second
 * job using the same content reuses it.
 *
 * <p>A fetch streams the blob into a temporary file beside its cache entry, checks its SHA-256
 * against the reference and only then moves it into place atomically: a cache entry is always
 * complete and verified, and concurrent fetches of one artifact (by threads or by workers sharing
 * the directory) each write their own temporary file and the last move wins with the same bytes.
 * A job may use only its own tenant's artifacts.
 */
public final class ArtifactFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactFetcher.class);
    private static final int CHUNK = BlobStore.MAX_APPEND_BYTES;

    private final BlobStore blobs;
    private final Path cacheDir;

    /** @param blobs read from only; the caller closes it */
    public ArtifactFetcher(BlobStore blobs, Path cacheDir) {
        this.blobs = blobs;
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
    }

    /** A fetcher for a worker without a blob store: every artifact URI is refused. */
    public static ArtifactFetcher none() {
        return new ArtifactFetcher(null, Path.of("."));
    }

    /**
     * The local path of {@code uri} for a job of {@code tenant}, fetched unless already cached.
     * Refused when the URI is malformed, names another tenant, is not stored, or its content does
     * not match its hash.
     */
    public Path fetch(String uri, String tenant) throws ArtifactException, InterruptedException {
        ArtifactRef ref;
        try {
            ref = ArtifactRef.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException("artifact URI '" + printable(uri) + "' is invalid: " + e.getMessage());
        }
        if (!ref.tenant().equals(tenant)) {
            throw new ArtifactException("artifact " + ref + " belongs to tenant '" + ref.tenant()
                    + "', not to the job's tenant '" + printable(tenant) + "'");
        }
        if (blobs == null) {
            throw new ArtifactException("artifact " + ref + " cannot be fetched: this worker has no blob store");
        }
        Path target = cacheDir.resolve(ref.sha256()).resolve(ref.name());
        if (Files.isRegularFile(target)) {
            LOG.debug("artifact {} is cached at {}", ref, target);
            return target;
        }
        try {
            download(ref, target);
        } catch (IOException | BlobStoreException e) {
            throw new ArtifactException("artifact " + ref + " cannot be fetched: " + e.getMessage(), e);
        }
        return target;
    }

    private void download(ArtifactRef ref, Path target) throws IOException, ArtifactException, InterruptedException {
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling("." + ref.name() + "." + UUID.randomUUID() + ".tmp");
        try {
            MessageDigest digest = sha256();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(temp)) {
                long length = -1;
                while (length < 0 || size < length) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException("interrupted while fetching " + ref);
                    }
                    Optional<BlobRead> read = blobs.read(ref.blobPath(), size, CHUNK);
                    if (read.isEmpty()) {
                        throw new ArtifactException("artifact " + ref + " not found in the blob store");
                    }
                    byte[] bytes = read.get().bytes();
                    length = read.get().blobLength();
                    if (bytes.length == 0 && size < length) {
                        throw new IOException("the blob store returned no bytes at offset " + size);
                    }
                    out.write(bytes);
                    digest.update(bytes);
                    size += bytes.length;
                }
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(ref.sha256())) {
                throw new ArtifactException("artifact " + ref + " does not match its hash: its " + size
                        + " bytes have SHA-256 " + actual);
            }
            move(temp, target);
            LOG.info("fetched artifact {} ({} bytes) to {}", ref, size, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    static String printable(String value) {
        if (value == null) {
            return "";
        }
        String shown = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
