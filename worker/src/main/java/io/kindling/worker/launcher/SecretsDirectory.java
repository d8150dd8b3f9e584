package io.kindling.worker.launcher;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.common.pools.LaunchRefusedException.Reason;
import io.kindling.schemas.Names;
import io.kindling.schemas.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a spark-submit worker finds the values of a job's {@code secretRefs}: the file
 * {@code <dir>/<tenant>/<secret>/<key>}, one directory per tenant, each laid out as a mounted
 * Kubernetes Secret or a CSI secrets volume. A job reads only its own tenant's secrets: nothing
 * outside {@code <dir>/<tenant>/} (and so none of Kindling's own credentials) can be named.
 * Values go into the driver's environment only (through the attempt shim's stdin), never into
 * argv, events or logs; a reference that cannot be resolved refuses the launch, naming the
 * reference, never a value.
 */
public final class SecretsDirectory {
    public static final ConfigParameter<String> DIR = ConfigParameter.string("KINDLING_SECRETS_DIR", null,
            "directory holding <tenant>/<secret>/<key> files that resolve jobs' secretRefs on spark-submit pools");

    private SecretsDirectory() {
    }

    /** Environment entries for {@code refs} of a job of {@code tenant}, resolved under {@code dir}. */
    static Map<String, String> resolve(Map<String, SecretRef> refs, String tenant, String dir)
            throws LaunchRefusedException {
        Map<String, String> env = new TreeMap<>();
        if (refs.isEmpty()) {
            return env;
        }
        if (dir == null || dir.isBlank()) {
            throw new LaunchRefusedException(Reason.SECRET, "the job names secretRefs " + refs.keySet()
                    + " but this worker has no " + DIR.name() + " to resolve them");
        }
        if (!Names.isTenant(tenant)) {
            throw new LaunchRefusedException(Reason.SECRET, "the job's tenant is not a valid tenant name, so its"
                    + " secretRefs cannot be resolved");
        }
        Path root = Path.of(dir).toAbsolutePath().normalize().resolve(tenant);
        for (Map.Entry<String, SecretRef> entry : refs.entrySet()) {
            SecretRef ref = entry.getValue();
            String named = entry.getKey() + " -> " + ref.secret() + "/" + ref.key();
            Path file;
            try {
                file = root.resolve(ref.secret()).resolve(ref.key()).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                throw new LaunchRefusedException(Reason.SECRET, "secret reference " + named + " is not a plain"
                        + " <secret>/<key> name");
            }
            if (!file.startsWith(root) || file.getParent() == null || file.getParent().getParent() == null
                    || !file.getParent().getParent().equals(root)) {
                throw new LaunchRefusedException(Reason.SECRET, "secret reference " + named
                        + " is not a plain <secret>/<key> name");
            }
            if (!Files.isRegularFile(file)) {
                throw new LaunchRefusedException(Reason.SECRET, "secret reference " + named
                        + " is not available to tenant '" + tenant + "' on this worker");
            }
            try {
                if (!file.toRealPath().startsWith(root.toRealPath())) {
                    throw new LaunchRefusedException(Reason.SECRET, "secret reference " + named
                            + " leads outside tenant '" + tenant + "''s secrets");
                }
                env.put(entry.getKey(), stripFinalNewline(Files.readString(file, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new LaunchRefusedException(Reason.SECRET, "secret reference " + named + " cannot be read: "
                        + e.getClass().getSimpleName());
            }
        }
        return env;
    }

    private static String stripFinalNewline(String value) {
        return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    }
}
