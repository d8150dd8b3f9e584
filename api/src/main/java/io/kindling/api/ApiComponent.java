package io.kindling.api;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStores;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaReachability;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.common.kafka.TopicSettings;
import io.kindling.common.management.Management;
import io.kindling.schemas.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running api inside some JVM: {@link ApiMain} starts one, and so can the embedded launcher.
 * {@link #start} blocks (call it from a plain thread, never an event loop): it creates the
 * topics the api needs if they are missing, opens the blob store and starts the server.
 * {@link #close()} stops the server, awaited, and closes the blob store. The {@link Vertx} stays
 * the caller's.
 */
public final class ApiComponent implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** A prefix nothing is stored under: listing it proves the store answers. */
    static final String HEALTH_PROBE_PREFIX = "health-probe/";

    private final ApiServer server;
    private final BlobStore blobs;
    private final int port;
    private final KafkaReachability kafkaProbe;

    private ApiComponent(ApiServer server, BlobStore blobs, int port, KafkaReachability kafkaProbe) {
        this.server = server;
        this.blobs = blobs;
        this.port = port;
        this.kafkaProbe = kafkaProbe;
    }

    /** Reads the configuration from {@code env} and starts the api. */
    public static ApiComponent start(Map<String, String> env, Vertx vertx) throws InterruptedException {
        return start(ApiConfig.fromEnv(env), vertx);
    }

    public static ApiComponent start(ApiConfig config, Vertx vertx) throws InterruptedException {
        return start(config, vertx, Management.inMemory());
    }

    /** As {@link #start(Map, Vertx)}, its meters and health checks in the process's registries. */
    public static ApiComponent start(Map<String, String> env, Vertx vertx, Management management)
            throws InterruptedException {
        return start(ApiConfig.fromEnv(env), vertx, management);
    }

    public static ApiComponent start(ApiConfig config, Vertx vertx, Management management) throws InterruptedException {
        KafkaClients kafka = new KafkaClients(config.kafka(), management);
        Topics topics = config.kafka().topics();
        // topics are checked while the store opens and HTTP starts (the follower waits for the events topic)
        CompletableFuture<Map<String, String>> topicsReady = CompletableFuture.supplyAsync(() -> {
            try {
                return new TopicCreator(kafka, new TopicSettings(config.views().jobRetention()))
                        .ensureAndDescribe(List.of(topics.commands(), topics.events(), topics.deadLetter()), START_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topics", e);
            }
        }, runnable -> new Thread(runnable, "kindling-api-topics").start());
        BlobStore blobs = BlobStores.open(config.blobStore());
        ApiServer server;
        try {
            server = new ApiServer(config, vertx, kafka, blobs, management,
                    () -> eventsTopicId(topicsReady, topics.events()));
        } catch (RuntimeException e) {
            blobs.close();
            throw e;
        }
        try {
            int port = await(server.start(), START_TIMEOUT);
            await(Future.fromCompletionStage(topicsReady), START_TIMEOUT);
            KafkaReachability probe = new KafkaReachability(kafka, "kindling-api-health");
            management.health().readinessProbe("api.kafka", probe);
            management.health().readinessProbe("api.blob-store", () -> blobs.list(HEALTH_PROBE_PREFIX));
            return new ApiComponent(server, blobs, port, probe);
        } catch (RuntimeException | InterruptedException e) {
            stopQuietly(server);
            blobs.close();
            throw e;
        }
    }

    /** The events topic's id as the topic creator read it (waited for on the follower's thread), or null. */
    private static String eventsTopicId(CompletableFuture<Map<String, String>> topicsReady, String topic) {
        try {
            return topicsReady.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** The port the api listens on. */
    public int port() {
        return port;
    }

    public ApiServer server() {
        return server;
    }

    /** Stops the api (awaited, up to 30 s) and closes the blob store. An interrupt is kept, not thrown. */
    @Override
    public void close() {
        try {
            await(server.stop(), STOP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            kafkaProbe.close();
            blobs.close();
        }
    }

    private static void stopQuietly(ApiServer server) throws InterruptedException {
        try {
            await(server.stop(), STOP_TIMEOUT);
        } catch (RuntimeException e) {
            // the start failure is what the caller needs to see
        }
    }

    private static <T> T await(Future<T> future, Duration timeout) throws InterruptedException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the api did not complete within " + timeout.toSeconds() + " s", e);
        }
    }
}
