package io.kindling.e2e;

import static org.awaitility.Awaitility.await;

import io.kindling.embedded.EmbeddedStack;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.kafka.SharedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole stack in this JVM for an end-to-end test: the shared Kafka broker, a real Spark for
 * the worker, the Azure blob store on Azurite, topics and container named after the test; started
 * and ready (the api answers /health/ready).
 */
final class E2eStack implements AutoCloseable {
    private final EmbeddedStack stack;
    private final KindlingClient client;

    private E2eStack(EmbeddedStack stack, KindlingClient client) {
        this.stack = stack;
        this.client = client;
    }

    static E2eStack start(String name, Path home, AzuriteFixture azurite, Map<String, String> extra) throws Exception {
        return start(name, home, azurite, extra, null);
    }

    /** As {@link #start(String, Path, AzuriteFixture, Map)}, every component tracing to {@code tracing} if not null. */
    static E2eStack start(String name, Path home, AzuriteFixture azurite, Map<String, String> extra,
            io.kindling.common.tracing.Tracing tracing) throws Exception {
        Map<String, String> env = new HashMap<>(ProjectTools.sparkEnv());
        env.put("KINDLING_HOME", home.toString());
        env.put("KINDLING_EMBEDDED_KAFKA", "false");
        env.put("KINDLING_KAFKA_BOOTSTRAP_SERVERS", SharedKafka.bootstrapServers());
        env.put("KINDLING_TOPIC_PREFIX", "e2e-" + name + ".");
        env.put("KINDLING_HTTP_PORT", "0");
        env.put("KINDLING_METRICS_PORT", "0");
        env.put("KINDLING_BLOB_STORE", "azure");
        env.put("KINDLING_AZURE_CONNECTION_STRING", azurite.connectionString());
        env.put("KINDLING_AZURE_CONTAINER", "e2e-" + name);
        env.putAll(extra);
        EmbeddedStack stack = EmbeddedStack.start(env, tracing);
        // no tokens file nor OIDC: the stack makes home/admin.token, as for ./kindling up
        KindlingClient client = KindlingClient.forHome(stack.apiPort(), home);
        await().atMost(Duration.ofSeconds(60)).until(() -> client.get("/health/ready").status() == 200);
        return new E2eStack(stack, client);
    }

    KindlingClient client() {
        return client;
    }

    /** The stack's one management endpoint: {@code /metrics}, {@code /health/live}, {@code /health/ready}. */
    String managementUrl() {
        return stack.managementUrl();
    }

    /** The registries every component of the stack reports to (tests kill a loop through its health). */
    io.kindling.common.management.Management management() {
        return stack.management();
    }

    int apiPort() {
        return stack.apiPort();
    }

    @Override
    public void close() {
        stack.close();
    }
}
