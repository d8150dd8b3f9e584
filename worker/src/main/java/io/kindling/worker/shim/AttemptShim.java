package io.kindling.worker.shim;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The supervisor of one attempt, {@code kindling-shim}: a small native program (C, built from
 * {@code worker/src/main/c/kindling-shim.c} by the worker's Maven build and shipped inside the
 * worker's jar) that detaches from the worker (fork, setsid), starts spark-submit as the leader of
 * a process group of its own with stdout and stderr appended to the spool files, and records its
 * exit code in {@code <spool>/.exits/<attemptId>.json} (written whole and renamed into place), so
 * that the attempt outlives the worker (a crash, a restart, a {@code kill -9}) and a restarted
 * worker adopts it instead of launching it again. It costs about 1 MiB of memory per attempt and a
 * few milliseconds before spark-submit starts (see docs/architecture.md#attempt-supervision).
 *
 * <p>Its argv is {@code kindling-shim <attemptDir> <graceMillis> <leaseMillis> -- <argv...>};
 * the driver's environment comes on its stdin as NUL-terminated {@code KEY=VALUE} entries (never
 * on a command line or in a file). The process the worker starts exits once spark-submit has been
 * exec'd (0, {@code shim.json} written) or could not be (1, the exit record says why). On SIGTERM
 * the shim stops spark-submit's whole process tree (TERM to the group and every descendant, KILL
 * after the grace); when {@code leaseMillis} is positive it fences itself: if the worker has not
 * touched {@code <attemptDir>/lease} for that long, it stops the tree and records the exit as LOST.
 * The spool files it reads and writes are named and read by {@code io.kindling.worker.AttemptSpool}.
 */
public final class AttemptShim {
    public static final String SHIM_FILE = "shim.json";
    public static final String SHIM_LOG = "shim.log";
    public static final String LEASE_FILE = "lease";
    public static final String WORK_DIR = "work";
    public static final String BINARY = "kindling-shim";
    /** Where a copy of the binary is made when the one on the classpath is not an executable file (a jar, an image layer). */
    static final String COPIES_DIR = ".bin";
    /** Exit codes of the started process. */
    public static final int STARTED = 0;
    public static final int NOT_STARTED = 1;

    private final Path binary;

    private AttemptShim(Path binary) {
        this.binary = binary;
    }

    /**
     * The shim binary shipped with the worker: the file on the classpath when it is executable,
     * else a copy in {@code <spoolRoot>/.bin/kindling-shim-<sha256>} (made once, then reused).
     */
    public static AttemptShim installed(Path spoolRoot) throws IOException {
        return installed(AttemptShim.class.getResource(BINARY), spoolRoot);
    }

    static AttemptShim installed(URL resource, Path spoolRoot) throws IOException {
        if (resource == null) {
            throw new IOException("the worker was built without its attempt supervisor " + BINARY
                    + " (the build compiles worker/src/main/c/kindling-shim.c with a C compiler: install gcc or cc)");
        }
        if ("file".equals(resource.getProtocol())) {
            try {
                Path file = Path.of(resource.toURI());
                if (Files.isExecutable(file)) {
                    return new AttemptShim(file);
                }
            } catch (URISyntaxException e) {
                throw new IOException("cannot locate " + resource, e);
            }
        }
        byte[] bytes;
        try (InputStream in = resource.openStream()) {
            bytes = in.readAllBytes();
        }
        Path dir = spoolRoot.resolve(COPIES_DIR);
        Path copy = dir.resolve(BINARY + "-" + sha256(bytes).substring(0, 16));
        if (!Files.isExecutable(copy)) {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + BINARY, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            Files.write(tmp, bytes);
            Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return new AttemptShim(copy);
    }

    public Path binary() {
        return binary;
    }

    /** The argv that runs a shim for {@code attemptDir} (an absolute path). */
    public List<String> command(Path attemptDir, Duration grace, Duration lease, List<String> childArgv) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), attemptDir.toAbsolutePath().toString(),
                Long.toString(grace.toMillis()), Long.toString(lease.toMillis()), "--"));
        cmd.addAll(childArgv);
        return cmd;
    }

    /** True when {@code args} (a process's argv after its program) are those of a shim of {@code attemptDir}. */
    public static boolean isShimOf(String command, List<String> args, Path attemptDir) {
        return Path.of(command).getFileName().toString().startsWith(BINARY) && !args.isEmpty()
                && args.getFirst().equals(attemptDir.toAbsolutePath().toString());
    }

    /** The driver's environment as the shim reads it from stdin: NUL-terminated {@code KEY=VALUE} entries. */
    public static byte[] environment(Map<String, String> env) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new TreeMap<>(env).forEach((key, value) -> {
            if (key.indexOf('\0') >= 0 || key.indexOf('=') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable " + key.replace('\0', ' ')
                        + " has a name or value the process environment cannot hold");
            }
            out.writeBytes((key + "=" + value).getBytes(StandardCharsets.UTF_8));
            out.write(0);
        });
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
