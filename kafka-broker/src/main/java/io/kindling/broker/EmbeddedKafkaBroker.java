package io.kindling.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.raft.DynamicVoters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A single-node Kafka (KRaft, combined broker and controller) running inside this JVM on 127.0.0.1.
 *
 * <p>The data directory is formatted on first start and reused afterwards, so topics and offsets
 * survive a restart.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    /** The one node's id, as broker and as controller. */
    static final int NODE_ID = 1;
    /** The controller's no-op metadata record after this long without a write (Kafka: 500 ms). */
    static final int METADATA_MAX_IDLE_MS = 10_000;
    private static final String HOST = "127.0.0.1";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Written by the formatter; its presence means the directory holds a cluster already. */
    private static final String META_PROPERTIES = "meta.properties";

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    /** The mutual-TLS client listener's port, 0 without one. */
    private final int tlsPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, int port, int tlsPort) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.tlsPort = tlsPort;
    }

    /**
     * Formats {@code config.dataDir()} unless it already holds a formatted log, then starts the
     * broker and returns once it accepts clients.
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config) {
        return start(config, null);
    }

    /**
     * Like {@link #start(BrokerConfig)}, with SASL/SCRAM authentication and the KRaft ACL
     * authorizer when {@code security} is not null (see {@link BrokerSecurity}).
     */
    public static EmbeddedKafkaBroker start(BrokerConfig config, BrokerSecurity security) {
        long startNanos = System.nanoTime();
        int[] ports = FreePorts.resolve(config.port(), config.controllerPort(), 0);
        if (ports[0] == ports[1]) {
            throw new IllegalArgumentException("port and controllerPort must differ, both are " + ports[0]);
        }
        Path dataDir = config.dataDir().toAbsolutePath();
        Properties properties = brokerProperties(dataDir, ports[0], ports[1]);
        if (security != null) {
            properties.putAll(security.brokerProperties(HOST, ports[0], ports[1], CONTROLLER_LISTENER, ports[2]));
        }
        KafkaConfig kafkaConfig = KafkaConfig.fromProps(properties);
        formatIfNeeded(dataDir, ports[1], security == null ? List.of() : security.formatterScramArguments());

        KafkaRaftServer server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, dataDir, ports[0],
                security != null && security.tls() != null ? ports[2] : 0);
        try {
            server.startup();
        } catch (RuntimeException e) {
            broker.close();
            throw new IllegalStateException("Kafka broker could not start on " + broker.bootstrapServers()
                    + " (controller port " + ports[1] + ", data " + dataDir + "): " + e.getMessage(), e);
        }
        LOG.info("Kafka broker started on {} (data {}) in {} ms",
                broker.bootstrapServers(), dataDir, (System.nanoTime() - startNanos) / 1_000_000);
        return broker;
    }

    /** {@code 127.0.0.1:PORT} of the client listener. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** {@code 127.0.0.1:PORT} of the mutual-TLS client listener ({@link BrokerSecurity.Tls}). */
    public String tlsBootstrapServers() {
        if (tlsPort == 0) {
            throw new IllegalStateException("this broker has no TLS listener");
        }
        return HOST + ":" + tlsPort;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Shuts the broker down and waits until it has stopped. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("Stopping Kafka broker on {}", bootstrapServers());
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker on {} stopped", bootstrapServers());
    }

    private static Properties brokerProperties(Path dataDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        p.put("log.dirs", dataDir.toString());

        // one node: every internal topic has exactly one replica, or consumers silently get nothing
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // few partitions for internal topics: creating 50 on first use slows a small machine
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");

        // the log cleaner's offset map, allocated whole on the heap at start: Kafka's 128 MiB is sized
        // for a cluster's compacted topics; 16 MiB holds ~600,000 keys a cleaning pass, more than one
        // node's compacted topics gather between passes (a partition with more is cleaned over several)
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        // the controller appends a no-op record to the metadata log when it has written nothing for this
        // long (Kafka: 500 ms), and the broker replays each: two appends, a fetch and a flush a second
        // while idle. One node has no follower to keep in step; a real change is written at once anyway
        p.put("metadata.max.idle.interval.ms", Integer.toString(METADATA_MAX_IDLE_MS));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        return p;
    }

    private static void formatIfNeeded(Path dataDir, int controllerPort, List<String> scramArguments) {
        if (Files.exists(dataDir.resolve(META_PROPERTIES))) {
            LOG.info("Reusing formatted Kafka data directory {}", dataDir);
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            Files.createDirectories(dataDir);
            new Formatter()
                    .setPrintStream(out)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(dataDir.toString())
                    .addDirectory(dataDir.toString())
                    .setHasDynamicQuorum(true)
                    .setScramArguments(scramArguments)
                    .setInitialControllers(DynamicVoters.parse(
                            NODE_ID + "@" + HOST + ":" + controllerPort + ":" + Uuid.randomUuid()))
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException("could not format Kafka data directory " + dataDir, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka data directory " + dataDir, e);
        }
        LOG.info("Formatted Kafka data directory {} for cluster {}", dataDir, clusterId);
        LOG.debug("Formatter output: {}", output.toString(StandardCharsets.UTF_8).strip());
    }
}
