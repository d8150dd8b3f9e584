package io.kindling.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded Kafka broker on its own until SIGTERM / SIGINT.
 * Reads {@value BrokerConfig#PORT_ENV} and {@value BrokerConfig#HOME_ENV}.
 */
public final class BrokerMain {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        BrokerConfig config = BrokerConfig.fromEnv(System.getenv());
        LOG.info("Starting Kafka broker: port={} dataDir={}", config.port(), config.dataDir().toAbsolutePath());
        EmbeddedKafkaBroker broker;
        try {
            broker = EmbeddedKafkaBroker.start(config);
        } catch (RuntimeException e) {
            LOG.error("Kafka broker failed to start", e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } finally {
                stopped.countDown();
            }
        }, "kafka-broker-shutdown"));
        LOG.info("Kafka broker ready, bootstrap servers {}", broker.bootstrapServers());
        stopped.await();
    }
}
