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
 * into a local cache, {@code <cacheDir>/<tenant>/<sha256>/<name>} on a worker ({@link #perTenant}:
 * one tenant's jobs never use a file another tenant's job could have written) or
 * {@code <cacheDir>/<sha256>/<name>} in a driver pod's init container (one attempt), so a second job
 * of the tenant using the same content reuses it. A cached file is hashed again before each use
 * and fetched anew if it no longer matches its reference (a client-mode driver runs as the
 * worker's user and could have changed it).
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
    private final boolean tenantDirs;

    /** @param blobs read from only; the caller closes it */
    public ArtifactFetcher(BlobStore blobs, Path cacheDir) {
        this(blobs, cacheDir, false);
    }

    private ArtifactFetcher(BlobStore blobs, Path cacheDir, boolean tenantDirs) {
        this.blobs = blobs;
        this.cacheDir = cacheDir.toAbsolutePath().normalize();
        this.tenantDirs = tenantDirs;
    }

    /** A worker's cache: {@code <cacheDir>/<tenant>/<sha256>/<name>}, a directory per tenant. */
    public static ArtifactFetcher perTenant(BlobStore blobs, Path cacheDir) {
        return new ArtifactFetcher(blobs, cacheDir, true);
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
        Path target = (tenantDirs ? cacheDir.resolve(ref.tenant()) : cacheDir).resolve(ref.sha256()).resolve(ref.name());
        if (Files.isRegularFile(target)) {
            try {
                if (sha256Of(target).equals(ref.sha256())) {
                    LOG.debug("artifact {} is cached at {}", ref, target);
                    return target;
                }
                LOG.warn("cached artifact {} at {} no longer matches its hash; fetching it again", ref, target);
            } catch (IOException e) {
                LOG.warn("cannot read cached artifact {} at {} ({}); fetching it again", ref, target, e.toString());
            }
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

    private static String sha256Of(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        try (var in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
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
