package io.kindling.worker;

import io.kindling.common.deadletter.DeadLetterPublisher;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreConfig;
import io.kindling.blobstore.BlobStores;
import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KindlingHome;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.kafka.ConsumerGroupLag;
import io.kindling.common.kafka.KafkaReachability;
import io.kindling.common.management.Health;
import io.kindling.common.management.Management;
import io.kindling.worker.report.MeteredReportPublisher;
import io.micrometer.core.instrument.Gauge;
import io.kindling.schemas.Topics;
import io.kindling.worker.report.KafkaReportPublisher;
import io.kindling.worker.artifacts.ArtifactFetcher;
import io.kindling.worker.launcher.Launcher;
import io.kindling.worker.launcher.SparkSubmitLauncher;
import io.kindling.worker.launcher.TracedLauncher;
import io.kindling.worker.session.SessionLauncher;
import io.kindling.worker.session.SessionRelay;
import io.kindling.worker.session.SessionRelayConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kindling.common.pools.PoolConfig;
import io.kindling.worker.k8s.DriverPodLauncher;
import io.kindling.worker.k8s.DriverPodPoolConfig;
import io.kindling.worker.k8s.DriverPodRelay;
import io.kindling.worker.k8s.DriverPodPools;
import io.kindling.worker.k8s.DriverPodSecrets;
import java.util.function.Function;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.kindling.worker.launcher.SparkSubmitConfig;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's composition root: from an environment map to a running worker with real Kafka
 * clients and {@code spark-submit}. {@link WorkerMain} and the embedded launcher both start it here.
 */
public final class WorkerComponent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerComponent.class);
    private static final Duration TOPIC_DEADLINE = Duration.ofSeconds(60);
    /** A prefix nothing is stored under: listing it proves the store answers. */
    static final String HEALTH_PROBE_PREFIX = "health-probe/";

    private final List<Worker> workers;
    private final ShutdownSequence shutdown;

    private WorkerComponent(List<Worker> workers, ShutdownSequence shutdown) {
        this.workers = List.copyOf(workers);
        this.shutdown = shutdown;
    }

    /**
     * Reads the configuration from {@code env} (keys as in {@code KnownKeys}; this does not reject
     * unknown ones), logs it, creates each pool's runs topic, the reports and the control topics if
     * missing, and starts one worker per pool served ({@link WorkerPools}). Close the result to stop
     * them all (awaited).
     */
    public static WorkerComponent start(Map<String, String> env) throws InterruptedException {
        return start(env, (Function<PoolConfig, KubernetesClient>) null);
    }

    /** As {@link #start(Map)}, its meters and health in the process's registries. */
    public static WorkerComponent start(Map<String, String> env, Management management) throws InterruptedException {
        return start(env, null, management);
    }

    /** As {@link #start(Map, Function, Management)} with meters and health of its own, served nowhere. */
    public static WorkerComponent start(Map<String, String> env, Function<PoolConfig, KubernetesClient> kubernetesClients)
            throws InterruptedException {
        Management own = Management.inMemory();
        try {
            WorkerComponent component = start(env, kubernetesClients, own);
            component.shutdown.add("management", own);
            return component;
        } catch (InterruptedException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /**
     * As {@link #start(Map)}, with the Kubernetes client of each {@code backend: kubernetes} pool from
     * {@code kubernetesClients} (its caller closes them); null builds one client for all of them from the
     * usual sources (kubeconfig, {@code KUBECONFIG}, in-cluster service account), closed with the worker.
     */
    public static WorkerComponent start(Map<String, String> env, Function<PoolConfig, KubernetesClient> kubernetesClients,
            Management management) throws InterruptedException {
        return start(env, kubernetesClients, management, null);
    }

    /**
     * As {@link #start(Map, Management)}, every pool's attempts launched by a launcher from
     * {@code launchers} instead of spark-submit or driver pods: benchmarks and tests of the control
     * plane alone ({@link io.kindling.worker.launcher.NoOpLauncher}). Only code chooses this, never configuration.
     */
    public static WorkerComponent start(Map<String, String> env, Management management,
            java.util.function.Supplier<Launcher> launchers) throws InterruptedException {
        return start(env, null, management, launchers);
    }

    private static WorkerComponent start(Map<String, String> env, Function<PoolConfig, KubernetesClient> kubernetesClients,
            Management management, java.util.function.Supplier<Launcher> launchers) throws InterruptedException {
        EnvConfig envConfig = new EnvConfig(env);
        List<WorkerPools.Served> served = WorkerPools.served(envConfig);
        List<WorkerConfig> configs = served.stream().map(WorkerPools.Served::config).toList();
        LOG.info("worker configuration:\n{}", WorkerConfig.describe(envConfig));
        WorkerConfig first = configs.get(0);
        KafkaClients clients = new KafkaClients(first.kafka(), management);
        Topics topics = first.kafka().topics();
        List<String> needed = new ArrayList<>();
        configs.forEach(c -> needed.add(topics.runs(c.pool())));
        needed.addAll(List.of(topics.reports(), topics.control(), topics.deadLetter()));
        new TopicCreator(clients).ensure(needed, TOPIC_DEADLINE);

        ShutdownSequence shutdown = new ShutdownSequence();
        // read-only: the api's uploaded artifacts, fetched before a launch
        BlobStoreConfig blobConfig = blobStoreConfig(env);
        LOG.info("artifacts are read from the blob store: {}", blobConfig.describe());
        BlobStore blobs = shutdown.add("blob store", BlobStores.open(blobConfig));
        watchDependencies(management.health(), clients, blobs, shutdown);
        ArtifactFetcher artifacts = ArtifactFetcher.perTenant(blobs, KindlingHome.from(envConfig).resolve("artifacts"));
        List<Worker> workers = new ArrayList<>();
        SessionRelay relay = SessionRelayConfig.from(envConfig).map(SessionRelay::open).orElse(null);
        LOG.info(relay == null ? "interactive sessions: no gateway settings; session attempts are refused"
                : "interactive sessions: relay agents dial the gateway at {}", relay == null ? "" : relay.gateway());
        Duration sessionReady = SessionRelayConfig.readyWithin(envConfig);
        DeadLetterPublisher deadLetters = shutdown.add("dead letters", new DeadLetterPublisher(
                clients.producer("kindling-worker-" + first.workerId() + "-dead-letters"), topics.deadLetter(),
                "worker " + first.workerId(), management.registry(), Clock.systemUTC()));
        try {
            Function<PoolConfig, KubernetesClient> k8s = kubernetesClients != null ? kubernetesClients
                    : sharedClient(shutdown);
            for (WorkerPools.Served pool : served) {
                WorkerConfig config = pool.config();
                Launcher launcher = new TracedLauncher(launchers != null ? launchers.get()
                        : pool.kubernetes() ? driverPods(pool.pool(), k8s.apply(pool.pool()),
                                relay == null ? null : DriverPodRelay.of(relay, sessionReady))
                        : new SessionLauncher(sparkSubmit(config, artifacts), config.spool(), relay, sessionReady),
                        management.tracing());
                String clientId = "kindling-worker-" + config.workerId();
                Worker worker = new Worker(config,
                        // static membership: a restarted worker (same id) takes its partitions back at
                        // once instead of waiting for its predecessor's session to time out
                        clients.consumer(config.groupId(), clientId, Map.of("max.poll.records", config.maxRunning(),
                                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.workerId())),
                        clients.consumer(null, clientId + "-control", Map.of()),
                        new MeteredReportPublisher(new KafkaReportPublisher(clients.producer(clientId), topics.reports()),
                                management.registry()),
                        launcher, Clock.systemUTC(), deadLetters);
                shutdown.add("worker " + config.pool(), worker.start());
                watch(management, worker, config.pool());
                shutdown.add("consumer lag " + config.groupId(), new ConsumerGroupLag(clients, config.groupId(), management));
                workers.add(worker);
            }
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
        return new WorkerComponent(workers, shutdown);
    }

    /**
     * The worker of {@code pool} is live while its run and control loops run (a loop that died of an
     * error leaves the process up but takes no work: not live), ready once it has read the controls;
     * its attempts running are a gauge.
     */
    static void watch(Management management, Worker worker, String pool) {
        management.health().liveness("worker." + pool, worker::healthy);
        management.health().readiness("worker." + pool, worker::ready);
        Gauge.builder("kindling.worker.attempts.running", worker, Worker::busy).tag("pool", pool)
                .description("Attempts this worker holds").register(management.registry());
    }

    /** Not ready while Kafka or the blob store (uploaded artifacts) cannot be reached. */
    private static void watchDependencies(Health health, KafkaClients clients, BlobStore blobs, ShutdownSequence shutdown) {
        KafkaReachability kafka = shutdown.add("kafka probe", new KafkaReachability(clients, "kindling-worker-health"));
        health.readinessProbe("worker.kafka", kafka);
        health.readinessProbe("worker.blob-store", () -> blobs.list(HEALTH_PROBE_PREFIX));
    }

    private static Launcher sparkSubmit(WorkerConfig config, ArtifactFetcher artifacts) {
        SparkSubmitConfig spark = config.spark();
        LOG.info("pool {}: spark-submit {} --master {} --deploy-mode {}{}", config.pool(), spark.sparkSubmit(),
                spark.master(), spark.deployMode(), spark.driverPorts() == null ? ""
                        : " (driver ports " + spark.driverPorts().first() + "-" + spark.driverPorts().last() + ")");
        return new SparkSubmitLauncher(spark, config.spool(), System.getenv(), SparkSubmitLauncher.DEFAULT_KILL_GRACE,
                config.fenceAfter(), artifacts);
    }

    private static Launcher driverPods(PoolConfig pool, KubernetesClient client, DriverPodRelay relay) {
        String namespace = client.getNamespace() == null ? "default" : client.getNamespace();
        DriverPodPoolConfig config = DriverPodPools.from(pool, namespace, WorkerImage.reference());
        LOG.info("pool {}: driver pods in namespace {} of {}, image {}, artifacts fetched by {}", pool.name(),
                config.namespace(), client.getMasterUrl(), config.image(), config.artifacts().image());
        return new DriverPodLauncher(client, config, DriverPodSecrets::of, relay, java.time.Clock.systemUTC());
    }

    /** One client, built on first use from kubeconfig / KUBECONFIG / the in-cluster account, closed last. */
    private static Function<PoolConfig, KubernetesClient> sharedClient(ShutdownSequence shutdown) {
        KubernetesClient[] client = new KubernetesClient[1];
        return pool -> {
            if (client[0] == null) {
                client[0] = shutdown.add("kubernetes client", new KubernetesClientBuilder().build());
            }
            return client[0];
        };
    }

    private static BlobStoreConfig blobStoreConfig(Map<String, String> env) {
        try {
            return BlobStoreConfig.fromEnv(env);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** The worker of the first pool served. */
    public Worker worker() {
        return workers.get(0);
    }

    /** One worker per pool served. */
    public List<Worker> workers() {
        return workers;
    }

    @Override
    public void close() {
        shutdown.close();
    }
}
