package io.kindling.common.kafka;

import io.kindling.common.management.Management;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds every Kafka client of Kindling, with the settings Kindling relies on (keys are job ids,
 * values JSON bytes) and the configured client security ({@link KafkaSecurity}). No component
 * builds client properties by hand: what is set here is what every connection uses.
 */
public final class KafkaClients {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClients.class);
    /** Kafka 4 refuses OAuth token endpoints that this JVM system property does not list. */
    static final String OAUTH_ALLOWED_URLS = "org.apache.kafka.sasl.oauthbearer.allowed.urls";

    private final KafkaConfig config;
    private final Management management;

    public KafkaClients(KafkaConfig config) {
        this(config, null);
    }

    /**
     * Clients whose own metrics (Micrometer's {@link KafkaClientMetrics}) go to the management's
     * registry; a closed client's meters leave it at the next refresh. {@code management} may be null.
     */
    public KafkaClients(KafkaConfig config, Management management) {
        this.config = config;
        this.management = management;
        if (config.security().enabled()) {
            LOG.info("Kafka client security:\n{}", config.security().describe());
        }
        allowTokenEndpoint(config.security().clientProperties().get("sasl.oauthbearer.token.endpoint.url"));
    }

    public KafkaConfig config() {
        return config;
    }

    /** Idempotent, acks=all: a send that returns has been written durably, once. */
    public KafkaProducer<String, byte[]> producer(String clientId) {
        Properties p = base(clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        return metered(new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
    }

    /**
     * A transactional producer (idempotent, acks=all) whose id fences any earlier producer with the
     * same {@code transactionalId}. The caller calls {@code initTransactions()}. Its records wait
     * (up to 100 ms, 256 KiB per partition) for the commit, which sends them at once: a
     * transaction's records go in a few large produce requests rather than one every 2 ms.
     */
    public KafkaProducer<String, byte[]> transactionalProducer(String clientId, String transactionalId) {
        Properties p = base(clientId);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "100");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "15000");
        return metered(new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer()));
    }

    /** Manual commits, reading from the earliest offset when the group is new. */
    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId, Map<String, Object> overrides) {
        Properties p = base(clientId);
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.putAll(overrides);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        if (management != null) {
            new KafkaClientMetrics(consumer, List.of(), management.kafkaMetricsRefresh()).bindTo(management.registry());
        }
        return consumer;
    }

    public Admin admin(String clientId) {
        Properties p = base(clientId);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        return Admin.create(p);
    }

    private KafkaProducer<String, byte[]> metered(KafkaProducer<String, byte[]> producer) {
        if (management != null) {
            new KafkaClientMetrics(producer, List.of(), management.kafkaMetricsRefresh()).bindTo(management.registry());
        }
        return producer;
    }

    /** The configured security (and pass-through properties) first; Kindling's own settings override them. */
    private Properties base(String clientId) {
        Properties p = new Properties();
        p.putAll(config.security().clientProperties());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    private static synchronized void allowTokenEndpoint(String url) {
        if (url == null) {
            return;
        }
        String allowed = System.getProperty(OAUTH_ALLOWED_URLS);
        if (allowed == null || allowed.isBlank()) {
            System.setProperty(OAUTH_ALLOWED_URLS, url);
        } else if (!java.util.Arrays.asList(allowed.split(",")).contains(url)) {
            LOG.warn("the OAuth token endpoint {} is not in -D{}={}; Kafka will refuse it", url, OAUTH_ALLOWED_URLS, allowed);
        }
    }
}
