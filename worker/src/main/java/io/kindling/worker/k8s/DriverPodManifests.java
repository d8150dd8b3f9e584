package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kindling.common.pools.LaunchRefusedException;
import io.kindling.common.pools.LaunchRefusedException.Reason;
import io.kindling.worker.launcher.SparkConnectServer;
import io.kindling.worker.session.SessionRelayConfig;
import io.kindling.schemas.RunAssignment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders an attempt's objects for a pool: the ConfigMap ({@code spark-defaults.conf},
 * {@code spark-env.sh}, the executor pod template), the driver pod running spark-submit in client
 * mode, its headless Service, its UI Service and, when the pool asks, an Ingress. Pure: the same
 * assignment and pool give the same objects (the golden files check them).
 */
public final class DriverPodManifests {
    public static final String JOB_ID = "kindling.io/job-id";
    public static final String ATTEMPT = "kindling.io/attempt";
    public static final String ATTEMPT_ID = "kindling.io/attempt-id";
    public static final String TENANT = "kindling.io/tenant";
    public static final String POOL = "kindling.io/pool";
    public static final String JOB_NAME = "kindling.io/job-name";
    /** As the Spark Operator labels its pods. */
    public static final String APP_NAME = "app-name";
    public static final String SPARK_ROLE = "spark-role";
    public static final String SPARK_APP_SELECTOR = "spark-app-selector";
    static final String DRIVER_CONTAINER = "spark-driver";
    /** The init container that fetches the job's {@code artifact://} URIs. */
    public static final String FETCH_CONTAINER = DriverPodArtifacts.FETCH_CONTAINER;
    static final String CONF_VOLUME = "kindling-spark-conf";

    private final DriverPodPoolConfig pool;
    private final DriverPodRelay relay;

    /** @param relay how a session's sidecar reaches the gateway; null when the worker has none (sessions are refused) */
    public DriverPodManifests(DriverPodPoolConfig pool, DriverPodRelay relay) {
        this.pool = pool;
        this.relay = relay;
    }

    public DriverPodManifests(DriverPodPoolConfig pool) {
        this(pool, null);
    }

    public DriverPodPoolConfig pool() {
        return pool;
    }

    /**
     * The attempt's objects, without owner references yet (the pod's uid is known only once it
     * exists); refused if the pool's launch policy denies what the job asks for.
     */
    public DriverPodObjects render(RunAssignment assigned, Map<String, SecretKeyRef> secrets) throws LaunchRefusedException {
        pool.policy().check(assigned.spec());
        DriverPodArtifacts artifacts = DriverPodArtifacts.of(assigned);
        RunAssignment run = artifacts.localRun();
        DriverPodNames names = DriverPodNames.of(run.attemptId());
        String proxyBase = pool.ingress().enabled() ? "/" + pool.ingress().pathPrefix() + "/" + run.attemptId() : null;
        boolean session = SparkConnectServer.isSession(run);
        if (session && relay == null) {
            throw new LaunchRefusedException(Reason.APPLICATION, SessionRelayConfig.notConfigured());
        }
        Map<String, String> conf = SparkDefaults.conf(run, pool, names, proxyBase);
        if (session) {
            conf.putAll(DriverPodSession.conf());
        }
        ConfigMap configMap = new ConfigMapBuilder()
                .withMetadata(metadata(run, names, names.configMap()))
                .addToData(SparkDefaults.DEFAULTS_FILE, SparkDefaults.render(run.attemptId(), conf))
                .addToData(SparkDefaults.ENV_FILE, SparkDefaults.envScript())
                .addToData(SparkDefaults.EXECUTOR_TEMPLATE_FILE, ExecutorPodTemplate.yaml(pool,
                        executorLabels(run, names), secrets))
                .build();
        Pod pod = driverPod(run, names, conf, secrets, artifacts.uris());
        DriverServices services = new DriverServices(pool, names, selector(run));
        String uiUrl = pool.ingress().enabled()
                ? (pool.ingress().tls() ? "https://" : "http://") + pool.ingress().host() + proxyBase + "/"
                : "http://" + names.uiService() + "." + pool.namespace() + ".svc:" + SparkDefaults.UI_PORT + "/";
        return new DriverPodObjects(names, pod, configMap,
                services.headless(metadata(run, names, names.driverService())),
                services.ui(metadata(run, names, names.uiService())),
                pool.ingress().enabled() ? services.ingress(metadata(run, names, names.ingress()), proxyBase) : null,
                uiUrl, session ? DriverPodSession.secret(metadata(run, names, names.relaySecret()), run, relay) : null);
    }

    private Pod driverPod(RunAssignment run, DriverPodNames names, Map<String, String> conf,
            Map<String, SecretKeyRef> secrets, List<String> artifacts) throws LaunchRefusedException {
        ObjectMeta meta = metadata(run, names, names.driverPod());
        meta.getLabels().put(SPARK_ROLE, "driver");
        List<VolumeMount> mounts = new ArrayList<>(pool.volumeMounts());
        mounts.add(new VolumeMountBuilder().withName(CONF_VOLUME).withMountPath(SparkDefaults.CONF_DIR)
                .withReadOnly(true).build());
        if (!artifacts.isEmpty()) {
            mounts.add(DriverPodArtifacts.mount(true));
        }
        Quantity memory = new Quantity(SparkDefaults.driverPodMemoryMib(conf, pool.driver()) + "Mi");
        var resources = new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(Integer.toString(SparkDefaults.driverCores(conf, pool.driver()))))
                .addToRequests("memory", memory)
                .addToLimits("memory", memory);
        if (pool.driver().cpuLimit() != null) {
            resources.addToLimits("cpu", new Quantity(pool.driver().cpuLimit()));
        }
        var container = new ContainerBuilder()
                .withName(DRIVER_CONTAINER)
                .withImage(pool.image())
                .withImagePullPolicy(pool.imagePullPolicy())
                .withCommand(DriverCommand.command(pool))
                .withArgs(DriverCommand.args(run.spec()))
                .withEnv(DriverCommand.env(run.spec(), secrets))
                .withPorts(
                        new ContainerPortBuilder().withName("driver-rpc")
                                .withContainerPort(SparkDefaults.DRIVER_PORT).build(),
                        new ContainerPortBuilder().withName("blockmanager")
                                .withContainerPort(SparkDefaults.BLOCK_MANAGER_PORT).build(),
                        new ContainerPortBuilder().withName("spark-ui")
                                .withContainerPort(SparkDefaults.UI_PORT).build())
                .withResources(resources.build())
                .withVolumeMounts(mounts)
                .build();
        var spec = new PodSpecBuilder()
                .withRestartPolicy("Never")
                .withEnableServiceLinks(false)
                .withServiceAccountName(pool.serviceAccount())
                .withImagePullSecrets(pullSecrets(pool))
                .withNodeSelector(pool.nodeSelector().isEmpty() ? null : pool.nodeSelector())
                .withAffinity(pool.affinity())
                .withTolerations(pool.tolerations().isEmpty() ? null : pool.tolerations())
                .withPriorityClassName(pool.priorityClassName())
                .withSchedulerName(pool.schedulerName())
                .withInitContainers(artifacts.isEmpty() ? null
                        : List.of(DriverPodArtifacts.initContainer(pool, artifacts)))
                .withContainers(container)
                .withVolumes(pool.volumes())
                .addToVolumes(new VolumeBuilder().withName(CONF_VOLUME).withNewConfigMap()
                        .withName(names.configMap()).endConfigMap().build())
                .build();
        if (SparkConnectServer.isSession(run)) {
            spec.getContainers().add(DriverPodSession.sidecar(pool, run, relay));
            spec.getVolumes().addAll(DriverPodSession.volumes(names.relaySecret()));
        }
        if (!artifacts.isEmpty()) {
            spec.getVolumes().add(DriverPodArtifacts.volume());
        }
        return new PodBuilder().withMetadata(meta).withSpec(spec).build();
    }

    static List<LocalObjectReference> pullSecrets(DriverPodPoolConfig pool) {
        return pool.imagePullSecrets().isEmpty() ? null
                : pool.imagePullSecrets().stream().map(LocalObjectReference::new).toList();
    }

    /** What every object of the attempt carries: the labels the log-shipper selects on; full ids as annotations. */
    private ObjectMeta metadata(RunAssignment run, DriverPodNames names, String name) {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(JOB_ID, run.jobId());
        annotations.put(ATTEMPT_ID, run.attemptId());
        annotations.put(TENANT, run.tenant());
        annotations.put(POOL, run.pool());
        if (run.spec().name() != null) {
            annotations.put(JOB_NAME, run.spec().name());
        }
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(pool.namespace())
                .withLabels(labels(run, names))
                .withAnnotations(annotations)
                .build();
    }

    static Map<String, String> labels(RunAssignment run, DriverPodNames names) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/managed-by", "kindling");
        labels.put(APP_NAME, DriverPodNames.labelValue(run.attemptId()));
        labels.put(SPARK_APP_SELECTOR, names.base());
        labels.put(JOB_ID, DriverPodNames.labelValue(run.jobId()));
        labels.put(ATTEMPT, Integer.toString(run.attempt()));
        labels.put(ATTEMPT_ID, DriverPodNames.labelValue(run.attemptId()));
        labels.put(TENANT, DriverPodNames.labelValue(run.tenant()));
        return labels;
    }

    /**
     * The attempt's labels without {@value #ATTEMPT_ID}: the log-shipper ships the log of every pod
     * that carries that label as the attempt's driver output, so executors must not carry it.
     */
    static Map<String, String> executorLabels(RunAssignment run, DriverPodNames names) {
        Map<String, String> labels = labels(run, names);
        labels.remove(ATTEMPT_ID);
        return labels;
    }

    /** Selects the attempt's driver pod (its executors carry the same attempt label, not this role). */
    static Map<String, String> selector(RunAssignment run) {
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(ATTEMPT_ID, DriverPodNames.labelValue(run.attemptId()));
        selector.put(SPARK_ROLE, "driver");
        return selector;
    }
}
