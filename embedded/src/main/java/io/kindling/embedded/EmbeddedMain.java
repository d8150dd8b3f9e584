package io.kindling.embedded;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.config.KnownKeys;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default ({@code ./kindling up}): a Kafka broker, the api, dispatcher, worker and
 * log-shipper in one JVM on 127.0.0.1, with a local-directory blob store unless told otherwise.
 * SIGTERM or Ctrl-C stops everything in order.
 */
public final class EmbeddedMain {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMain.class);

    private EmbeddedMain() {
    }

    public static void main(String[] args) {
        Map<String, String> env = System.getenv();
        try {
            new EnvConfig(env).rejectUnknown(KnownKeys.ALL);
            EmbeddedStack stack = EmbeddedStack.start(env);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("Kindling stopping");
                stack.close();
                LOG.info("Kindling stopped");
            }, "kindling-shutdown"));
        } catch (ConfigException | IllegalArgumentException e) {
            LOG.error("cannot start: {}", e.getMessage());
            System.exit(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        } catch (RuntimeException e) {
            LOG.error("cannot start", e);
            System.exit(1);
        }
    }
}
