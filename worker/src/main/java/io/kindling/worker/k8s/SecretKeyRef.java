package io.kindling.worker.k8s;

import java.util.Objects;

/**
 * One key of a Kubernetes Secret, given to the driver as an environment variable through
 * {@code valueFrom.secretKeyRef}: the value never passes through Kindling.
 */
public record SecretKeyRef(String secretName, String key) {
    public SecretKeyRef {
        Objects.requireNonNull(secretName, "secretName");
        Objects.requireNonNull(key, "key");
    }
}
