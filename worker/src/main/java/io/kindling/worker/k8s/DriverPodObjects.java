package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kubernetes objects of one attempt: the driver pod, created first, and the objects it owns
 * (deleting the pod deletes them).
 *
 * @param ingress    null when the pool does not expose the UI through an Ingress
 * @param sparkUiUrl where people reach the Spark UI: the Ingress URL, else the UI Service's in-cluster URL
 * @param relaySecret a session's Secret for its relay-agent sidecar ({@link DriverPodSession}), null for a job
 */
public record DriverPodObjects(DriverPodNames names, Pod pod, ConfigMap configMap, Service driverService,
        Service uiService, Ingress ingress, String sparkUiUrl, Secret relaySecret) {

    /** The objects to create once the pod exists, each owned by it. */
    public List<HasMetadata> ownedBy(Pod created) {
        OwnerReference owner = new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Pod")
                .withName(created.getMetadata().getName())
                .withUid(created.getMetadata().getUid())
                .withBlockOwnerDeletion(false)
                .build();
        List<HasMetadata> owned = new ArrayList<>(List.of(configMap, driverService, uiService));
        if (ingress != null) {
            owned.add(ingress);
        }
        if (relaySecret != null) {
            owned.add(relaySecret);
        }
        for (HasMetadata object : owned) {
            object.getMetadata().setOwnerReferences(List.of(owner));
        }
        return owned;
    }
}
