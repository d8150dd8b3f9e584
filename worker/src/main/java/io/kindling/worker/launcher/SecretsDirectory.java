package io.kindling.worker.launcher;

import io.kindling.common.config.ConfigParameter;
import io.kindling.schemas.SecretRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a spark-submit worker finds the values of a job's {@code secretRefs}: the file
 * {@code <dir>/<secret>/<key>}, the layout of a mounted Kubernetes Secret or a CSI secrets
 * volume. Values go into the driver's environment only (through the attempt shim's stdin), never
 * into argv, events or logs; a reference that cannot be resolved refuses the launch, naming the
 * reference, never a value.
 */
public final class SecretsDirectory {
    public static final ConfigParameter<String> DIR = ConfigParameter.string("KINDLING_SECRETS_DIR", null,
            "directory holding <secret>/<key> files that resolve jobs' secretRefs on spark-submit pools");

    private SecretsDirectory() {
    }

    /** Environment entries for {@code refs}, resolved under {@code dir} (from the worker's environment). */
    static Map<String, String> resolve(Map<String, SecretRef> refs, String dir) throws RefusedLaunchException {
        Map<String, String> env = new TreeMap<>();
        if (refs.isEmpty()) {
            return env;
        }
        if (dir == null || dir.isBlank()) {
            throw new RefusedLaunchException("the job names secretRefs " + refs.keySet()
                    + " but this worker has no " + DIR.name() + " to resolve them");
        }
        Path root = Path.of(dir).toAbsolutePath().normalize();
        for (Map.Entry<String, SecretRef> entry : refs.entrySet()) {
            SecretRef ref = entry.getValue();
            Path file = root.resolve(ref.secret()).resolve(ref.key()).normalize();
            String named = entry.getKey() + " -> " + ref.secret() + "/" + ref.key();
            if (!file.startsWith(root) || !file.getParent().getParent().equals(root)) {
                throw new RefusedLaunchException("secret reference " + named + " is not a plain <secret>/<key> name");
            }
            if (!Files.isRegularFile(file)) {
                throw new RefusedLaunchException("secret reference " + named + " is not available on this worker");
            }
            try {
                env.put(entry.getKey(), stripFinalNewline(Files.readString(file, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new RefusedLaunchException("secret reference " + named + " cannot be read: " + e.getClass().getSimpleName());
            }
        }
        return env;
    }

    private static String stripFinalNewline(String value) {
        return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    }
}
