package io.kindling.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The typed objects of one `helm template` output, with the names the chart expects to exist
 * without rendering them: the operator's Secrets and claims named by `existing*` values.
 */
record Rendering(String name, List<StrictKubernetesYaml.Document> documents, Set<String> existingSecrets,
                 Set<String> existingClaims) {

    <T> List<T> all(Class<T> type) {
        return documents.stream().map(StrictKubernetesYaml.Document::object).filter(type::isInstance).map(type::cast)
                .toList();
    }

    List<Deployment> deployments() {
        return all(Deployment.class);
    }

    List<ServiceMonitor> serviceMonitors() {
        return all(ServiceMonitor.class);
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    boolean secretAvailable(String name) {
        return existingSecrets.contains(name) || named(Secret.class, name).isPresent();
    }

    boolean claimAvailable(String name) {
        return existingClaims.contains(name) || named(PersistentVolumeClaim.class, name).isPresent();
    }

    Optional<ConfigMap> configMap(String name) {
        return named(ConfigMap.class, name);
    }

    boolean serviceAccountRendered(String name) {
        return named(ServiceAccount.class, name).isPresent();
    }

    Optional<Role> role(String name, String namespace) {
        return all(Role.class).stream().filter(r -> r.getMetadata().getName().equals(name)
                && sameNamespace(r.getMetadata().getNamespace(), namespace)).findFirst();
    }

    List<Service> services() {
        return all(Service.class);
    }

    /** Objects without a namespace land in the release's; the chart renders others explicitly. */
    static boolean sameNamespace(String a, String b) {
        return (a == null ? "" : a).equals(b == null ? "" : b) || a == null || b == null;
    }

    /** True when every label of the selector is on the object. */
    static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels != null
                && labels.entrySet().containsAll(selector.entrySet());
    }
}
