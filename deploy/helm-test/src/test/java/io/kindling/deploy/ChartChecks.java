package io.kindling.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.kindling.common.config.KnownKeys;
import io.kindling.common.pools.PoolsFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the API server's schema cannot tell: that the objects of one rendering fit together and
 * fit Kindling. Each check adds a line naming the object to {@link #problems()}.
 */
final class ChartChecks {
    private final Rendering rendering;
    private final List<String> problems = new ArrayList<>();

    private ChartChecks(Rendering rendering) {
        this.rendering = rendering;
    }

    static List<String> of(Rendering rendering) {
        ChartChecks checks = new ChartChecks(rendering);
        rendering.documents().forEach(checks::names);
        rendering.deployments().forEach(checks::deployment);
        rendering.services().forEach(checks::service);
        rendering.all(Ingress.class).forEach(checks::ingress);
        rendering.all(RoleBinding.class).forEach(checks::roleBinding);
        rendering.all(NetworkPolicy.class).forEach(checks::networkPolicy);
        rendering.serviceMonitors().forEach(checks::serviceMonitor);
        rendering.all(ConfigMap.class).forEach(checks::poolsFile);
        return List.copyOf(checks.problems);
    }

    private void problem(String where, String what) {
        problems.add(rendering.name() + ": " + where + ": " + what);
    }

    // ---------------------------------------------------------------- names (the API server's validation)

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private void names(StrictKubernetesYaml.Document document) {
        String where = document.source();
        var metadata = document.object() instanceof HasMetadata o ? o.getMetadata()
                : ((ServiceMonitor) document.object()).metadata();
        String name = metadata == null ? null : metadata.getName();
        boolean label = document.object() instanceof Service;
        if (name == null || name.length() > (label ? 63 : 253) || !(label ? DNS_LABEL : DNS_SUBDOMAIN).matcher(name).matches()) {
            problem(where, "name " + name + " is not a valid " + (label ? "DNS label" : "DNS subdomain"));
        }
        if (metadata != null && metadata.getLabels() != null) {
            metadata.getLabels().forEach((k, v) -> {
                if (v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
                    problem(where, "label " + k + "=" + v + " is not a valid label value");
                }
            });
        }
        if (document.object() instanceof Deployment d) {
            for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
                if (c.getName() == null || c.getName().length() > 63 || !DNS_LABEL.matcher(c.getName()).matches()) {
                    problem(where, "container name " + c.getName() + " is not a DNS label");
                }
                c.getPorts().forEach(p -> portName(where, p.getName()));
            }
        }
        if (document.object() instanceof Service svc) {
            if (svc.getSpec().getPorts().isEmpty()) {
                problem(where, "no ports");
            }
            svc.getSpec().getPorts().forEach(p -> portName(where, p.getName()));
        }
    }

    private void portName(String where, String name) {
        if (name != null && (name.length() > 15 || !PORT_NAME.matcher(name).matches() || !name.matches(".*[a-z].*"))) {
            problem(where, "port name " + name + " is not an IANA service name (at most 15 characters)");
        }
    }

    // ---------------------------------------------------------------- Deployments

    private void deployment(Deployment d) {
        String where = "Deployment " + d.getMetadata().getName();
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        if (!Rendering.selects(d.getSpec().getSelector().getMatchLabels(), labels)) {
            problem(where, "selector " + d.getSpec().getSelector().getMatchLabels() + " does not match the pod labels " + labels);
        }
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        if (pod.getContainers().isEmpty()) {
            problem(where, "no containers");
        }
        if (pod.getServiceAccountName() == null || !rendering.serviceAccountRendered(pod.getServiceAccountName())) {
            problem(where, "service account " + pod.getServiceAccountName() + " is not rendered");
        }
        for (LocalObjectReference pull : pod.getImagePullSecrets()) {
            if (!rendering.secretAvailable(pull.getName())) {
                problem(where, "image pull Secret " + pull.getName() + " is neither rendered nor an existing* value");
            }
        }
        podSecurity(where, pod);
        Set<String> mounted = new HashSet<>();
        for (Container c : pod.getContainers()) {
            container(where + " container " + c.getName(), pod, c);
            c.getVolumeMounts().forEach(m -> mounted.add(m.getName()));
        }
        for (Volume v : pod.getVolumes()) {
            volume(where + " volume " + v.getName(), v);
            if (!mounted.contains(v.getName())) {
                problem(where, "volume " + v.getName() + " is mounted by no container");
            }
        }
    }

    private void podSecurity(String where, PodSpec pod) {
        var sc = pod.getSecurityContext();
        if (sc == null || !Boolean.TRUE.equals(sc.getRunAsNonRoot())) {
            problem(where, "pod securityContext.runAsNonRoot is not true");
        }
        if (sc == null || sc.getSeccompProfile() == null || !"RuntimeDefault".equals(sc.getSeccompProfile().getType())) {
            problem(where, "pod seccompProfile is not RuntimeDefault");
        }
    }

    private void container(String where, PodSpec pod, Container c) {
        if (c.getImage() == null || c.getImage().isBlank()) {
            problem(where, "no image");
        }
        var sc = c.getSecurityContext();
        if (sc == null || !Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())
                || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation()) || sc.getCapabilities() == null
                || !sc.getCapabilities().getDrop().contains("ALL")) {
            problem(where, "securityContext must set readOnlyRootFilesystem, no privilege escalation and drop ALL capabilities");
        }
        probe(where + " liveness probe", c, c.getLivenessProbe(), "/health/live");
        probe(where + " readiness probe", c, c.getReadinessProbe(), "/health/ready");
        Set<String> names = new HashSet<>();
        for (EnvVar e : c.getEnv()) {
            if (!names.add(e.getName())) {
                problem(where, "env " + e.getName() + " is set twice");
            }
            if (!KnownKeys.ALL.contains(e.getName())) {
                problem(where, "env " + e.getName() + " is not a key Kindling reads (KnownKeys)");
            }
            env(where + " env " + e.getName(), pod, c, e);
        }
        for (VolumeMount m : c.getVolumeMounts()) {
            if (pod.getVolumes().stream().noneMatch(v -> v.getName().equals(m.getName()))) {
                problem(where, "mounts volume " + m.getName() + ", which the pod does not have");
            }
        }
    }

    private void probe(String where, Container c, Probe probe, String path) {
        if (probe == null || probe.getHttpGet() == null) {
            problem(where, "missing (an httpGet on " + path + ")");
            return;
        }
        if (!path.equals(probe.getHttpGet().getPath())) {
            problem(where, "path " + probe.getHttpGet().getPath() + ", expected " + path);
        }
        if (!hasPort(List.of(c), probe.getHttpGet().getPort())) {
            problem(where, "port " + portText(probe.getHttpGet().getPort()) + " is not a port of the container");
        }
    }

    private void env(String where, PodSpec pod, Container c, EnvVar e) {
        if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null
                && !rendering.secretAvailable(e.getValueFrom().getSecretKeyRef().getName())) {
            problem(where, "Secret " + e.getValueFrom().getSecretKeyRef().getName() + " is neither rendered nor an existing* value");
        }
        if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
            var ref = e.getValueFrom().getConfigMapKeyRef();
            if (rendering.configMap(ref.getName()).map(cm -> !cm.getData().containsKey(ref.getKey())).orElse(true)) {
                problem(where, "ConfigMap " + ref.getName() + " with key " + ref.getKey() + " is not rendered");
            }
        }
        boolean file = e.getName().endsWith("_FILE") || e.getName().endsWith("_LOCATION") || e.getName().equals("KINDLING_CONFIG");
        if (file && e.getValue() != null) {
            fileProvided(where, pod, c, e.getValue());
        }
    }

    /** The file a *_FILE setting names is in a mounted Secret or ConfigMap that has it. */
    private void fileProvided(String where, PodSpec pod, Container c, String path) {
        for (VolumeMount m : c.getVolumeMounts()) {
            String prefix = m.getMountPath().endsWith("/") ? m.getMountPath() : m.getMountPath() + "/";
            if (!path.startsWith(prefix)) {
                continue;
            }
            String file = path.substring(prefix.length());
            Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElse(null);
            if (v == null) {
                return;
            }
            Set<String> files = filesOf(v);
            if (files != null && !files.contains(file)) {
                problem(where, path + ": volume " + v.getName() + " holds " + files + ", not " + file);
            }
            return;
        }
        problem(where, path + " is under no mounted volume");
    }

    /** The files a Secret or ConfigMap volume holds, when the chart can know them; null otherwise. */
    private Set<String> filesOf(Volume v) {
        List<KeyToPath> items = v.getSecret() != null ? v.getSecret().getItems()
                : v.getConfigMap() != null ? v.getConfigMap().getItems() : null;
        if (items != null && !items.isEmpty()) {
            return items.stream().map(KeyToPath::getPath).collect(java.util.stream.Collectors.toSet());
        }
        if (v.getConfigMap() != null) {
            return rendering.configMap(v.getConfigMap().getName()).map(cm -> cm.getData().keySet()).orElse(Set.of());
        }
        return null;
    }

    private void volume(String where, Volume v) {
        if (v.getSecret() != null && !rendering.secretAvailable(v.getSecret().getSecretName())) {
            problem(where, "Secret " + v.getSecret().getSecretName() + " is neither rendered nor an existing* value");
        }
        if (v.getConfigMap() != null && rendering.configMap(v.getConfigMap().getName()).isEmpty()) {
            problem(where, "ConfigMap " + v.getConfigMap().getName() + " is not rendered");
        }
        if (v.getPersistentVolumeClaim() != null && !rendering.claimAvailable(v.getPersistentVolumeClaim().getClaimName())) {
            problem(where, "claim " + v.getPersistentVolumeClaim().getClaimName() + " is neither rendered nor existingClaim");
        }
    }

    // ---------------------------------------------------------------- Services, Ingress, RBAC, policies

    private void service(Service s) {
        String where = "Service " + s.getMetadata().getName();
        List<Deployment> backends = selected(s.getSpec().getSelector());
        if (backends.isEmpty()) {
            problem(where, "selector " + s.getSpec().getSelector() + " matches no Deployment's pods");
        }
        for (ServicePort port : s.getSpec().getPorts()) {
            IntOrString target = port.getTargetPort() != null ? port.getTargetPort() : new IntOrString(port.getPort());
            for (Deployment d : backends) {
                if (!hasPort(d.getSpec().getTemplate().getSpec().getContainers(), target)) {
                    problem(where, "targetPort " + portText(target) + " is no container port of Deployment " + d.getMetadata().getName());
                }
            }
        }
    }

    private void ingress(Ingress i) {
        String where = "Ingress " + i.getMetadata().getName();
        i.getSpec().getTls().forEach(tls -> {
            if (tls.getSecretName() != null && !rendering.secretAvailable(tls.getSecretName())) {
                problem(where, "TLS Secret " + tls.getSecretName() + " is neither rendered nor an existing* value");
            }
        });
        i.getSpec().getRules().stream().flatMap(r -> r.getHttp().getPaths().stream()).forEach(p -> {
            var backend = p.getBackend().getService();
            Service s = rendering.named(Service.class, backend.getName()).orElse(null);
            if (s == null) {
                problem(where, "backend Service " + backend.getName() + " is not rendered");
            } else if (s.getSpec().getPorts().stream().noneMatch(sp -> backend.getPort().getName() != null
                    ? backend.getPort().getName().equals(sp.getName()) : Objects.equals(sp.getPort(), backend.getPort().getNumber()))) {
                problem(where, "backend port " + backend.getPort() + " is not a port of Service " + backend.getName());
            }
        });
    }

    private void roleBinding(RoleBinding b) {
        String where = "RoleBinding " + b.getMetadata().getName();
        if (!"Role".equals(b.getRoleRef().getKind())
                || rendering.role(b.getRoleRef().getName(), b.getMetadata().getNamespace()).isEmpty()) {
            problem(where, "roleRef " + b.getRoleRef().getKind() + " " + b.getRoleRef().getName() + " is not a rendered Role of its namespace");
        }
        for (Subject s : b.getSubjects()) {
            if (!"ServiceAccount".equals(s.getKind()) || !rendering.serviceAccountRendered(s.getName())) {
                problem(where, "subject " + s.getKind() + " " + s.getName() + " is not a rendered ServiceAccount");
            }
        }
    }

    private void networkPolicy(NetworkPolicy p) {
        String where = "NetworkPolicy " + p.getMetadata().getName();
        List<Deployment> pods = selected(p.getSpec().getPodSelector().getMatchLabels());
        if (pods.isEmpty()) {
            problem(where, "podSelector matches no Deployment's pods");
        }
        Stream<NetworkPolicyPort> ports = p.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream());
        ports.filter(port -> port.getPort() != null && port.getPort().getStrVal() != null).forEach(port -> {
            for (Deployment d : pods) {
                if (!hasPort(d.getSpec().getTemplate().getSpec().getContainers(), port.getPort())) {
                    problem(where, "named port " + port.getPort().getStrVal() + " is no container port of " + d.getMetadata().getName());
                }
            }
        });
    }

    private void serviceMonitor(ServiceMonitor m) {
        String where = "ServiceMonitor " + m.metadata().getName();
        List<Service> services = rendering.services().stream()
                .filter(s -> Rendering.selects(m.spec().selector().getMatchLabels(), s.getMetadata().getLabels())).toList();
        if (services.isEmpty()) {
            problem(where, "selector matches no Service");
        }
        if (m.spec().endpoints().isEmpty()) {
            problem(where, "no endpoints");
        }
        for (ServiceMonitor.Endpoint e : m.spec().endpoints()) {
            for (Service s : services) {
                if (s.getSpec().getPorts().stream().noneMatch(sp -> Objects.equals(sp.getName(), e.port()))) {
                    problem(where, "endpoint port " + e.port() + " is not a port of Service " + s.getMetadata().getName());
                }
            }
        }
    }

    /** pools.yaml parses as the components parse it, and declares every pool a worker serves. */
    private void poolsFile(ConfigMap cm) {
        String text = cm.getData().get("pools.yaml");
        if (text == null) {
            return;
        }
        String where = "ConfigMap " + cm.getMetadata().getName() + " pools.yaml";
        PoolsFile pools;
        try {
            pools = PoolsFile.parse(text, where);
        } catch (RuntimeException e) {
            problem(where, "the components would refuse it: " + e.getMessage());
            return;
        }
        rendering.deployments().stream().flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .flatMap(c -> c.getEnv().stream()).filter(e -> e.getName().equals("KINDLING_WORKER_POOL"))
                .flatMap(e -> Stream.of(e.getValue().split(","))).map(String::trim)
                .filter(pool -> !pools.names().contains(pool))
                .forEach(pool -> problem(where, "declares no pool " + pool + ", which a worker serves"));
    }

    // ---------------------------------------------------------------- helpers

    private List<Deployment> selected(Map<String, String> selector) {
        return rendering.deployments().stream()
                .filter(d -> Rendering.selects(selector, d.getSpec().getTemplate().getMetadata().getLabels())).toList();
    }

    private static boolean hasPort(List<Container> containers, IntOrString port) {
        if (port == null) {
            return false;
        }
        for (Container c : containers) {
            for (ContainerPort p : c.getPorts()) {
                if (port.getStrVal() != null ? port.getStrVal().equals(p.getName()) : port.getIntVal().equals(p.getContainerPort())) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String portText(IntOrString port) {
        return port == null ? "none" : port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
    }
}
