package io.kindling.worker.k8s;

import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SecretRef;
import java.util.Map;
import java.util.TreeMap;

/** A job's {@code secretRefs} as {@code secretKeyRef} env vars of its driver pod: names only, never values. */
public final class DriverPodSecrets {
    private DriverPodSecrets() {
    }

    public static Map<String, SecretKeyRef> of(RunAssignment run) {
        Map<String, SecretKeyRef> refs = new TreeMap<>();
        for (Map.Entry<String, SecretRef> entry : run.spec().secretRefs().entrySet()) {
            refs.put(entry.getKey(), new SecretKeyRef(entry.getValue().secret(), entry.getValue().key()));
        }
        return refs;
    }
}
