package io.kindling.testsupport.kafka;

import io.kindling.broker.BrokerConfig;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.testsupport.files.DirectoryTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One Kafka broker per test JVM, started on first use and stopped when the JVM exits.
 *
 * <p>The broker lives in a holder class, so the JVM starts it exactly once, on the first call,
 * however many threads ask. Its log sits in a temporary directory that is deleted after the
 * broker has stopped. Tests sharing it keep apart by naming their topics with
 * {@link KafkaFixture#topicPrefix()}.
 */
public final class SharedKafka {

    private static final Logger LOG = LoggerFactory.getLogger(SharedKafka.class);

    private SharedKafka() {
    }

    /** {@code 127.0.0.1:PORT} of the JVM's broker, started if this is the first call. */
    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }

    /** The JVM's broker, started if this is the first call. Do not close it. */
    public static EmbeddedKafkaBroker broker() {
        return Holder.BROKER;
    }

    private static final class Holder {
        static final EmbeddedKafkaBroker BROKER = start();
    }

    private static EmbeddedKafkaBroker start() {
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("kindling-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a data directory for the shared Kafka broker", e);
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dataDir));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            deleteRecursively(dataDir);
        }, "shared-kafka-shutdown"));
        LOG.info("Shared Kafka broker for this test JVM on {}", broker.bootstrapServers());
        return broker;
    }

    private static void deleteRecursively(Path dir) {
        try {
            DirectoryTrees.delete(dir);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", dir, e.toString());
        }
    }
}
