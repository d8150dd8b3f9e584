package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import java.util.Map;

/** The driver's network objects: a headless Service for executors, a UI Service, and the UI's Ingress. */
final class DriverServices {
    private final DriverPodPoolConfig pool;
    private final DriverPodNames names;
    private final Map<String, String> selector;

    DriverServices(DriverPodPoolConfig pool, DriverPodNames names, Map<String, String> selector) {
        this.pool = pool;
        this.names = names;
        this.selector = selector;
    }

    /** {@code clusterIP: None}: the driver's name resolves to its pod IP; executors dial it at the fixed ports. */
    Service headless(ObjectMeta meta) {
        return new ServiceBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withClusterIP("None")
                .withPublishNotReadyAddresses(true)
                .withSelector(selector)
                .withPorts(
                        new ServicePortBuilder().withName("driver-rpc").withPort(SparkDefaults.DRIVER_PORT)
                                .withNewTargetPort(SparkDefaults.DRIVER_PORT).build(),
                        new ServicePortBuilder().withName("blockmanager").withPort(SparkDefaults.BLOCK_MANAGER_PORT)
                                .withNewTargetPort(SparkDefaults.BLOCK_MANAGER_PORT).build())
                .endSpec()
                .build();
    }

    Service ui(ObjectMeta meta) {
        return new ServiceBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(selector)
                .withPorts(new ServicePortBuilder().withName("spark-ui").withPort(SparkDefaults.UI_PORT)
                        .withNewTargetPort(SparkDefaults.UI_PORT).build())
                .endSpec()
                .build();
    }

    /**
     * {@code <host>/<prefix>/<attemptId>} to the UI Service; Spark's links carry the same path
     * (spark.ui.proxyBase). Spark serves the UI at {@code /}: with a {@code rewrite-target}
     * annotation (ingress-nginx, value {@code /$2}) the path becomes the regex
     * {@code <path>(/|$)(.*)}, as the Spark Operator writes it, so the controller strips the prefix.
     */
    Ingress ingress(ObjectMeta meta, String path) {
        DriverPodPoolConfig.IngressSettings settings = pool.ingress();
        meta.getAnnotations().putAll(settings.annotations());
        boolean rewrite = settings.annotations().keySet().stream().anyMatch(key -> key.endsWith("/rewrite-target"));
        var spec = new IngressBuilder()
                .withMetadata(meta)
                .withNewSpec()
                .withIngressClassName(settings.className())
                .addNewRule()
                .withHost(settings.host())
                .withNewHttp()
                .addNewPath()
                .withPath(rewrite ? path + "(/|$)(.*)" : path)
                .withPathType(rewrite ? "ImplementationSpecific" : "Prefix")
                .withNewBackend()
                .withNewService()
                .withName(names.uiService())
                .withNewPort()
                .withNumber(SparkDefaults.UI_PORT)
                .endPort()
                .endService()
                .endBackend()
                .endPath()
                .endHttp()
                .endRule();
        if (settings.tls()) {
            spec.withTls(new IngressTLSBuilder().withHosts(settings.host()).build());
        }
        return spec.endSpec().build();
    }
}
