package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.management.Management;
import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The api's meters per operation and its health in the process's registries. */
@ExtendWith(KafkaTestExtension.class)
class ApiHealthIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void requestsAreTimedPerOperationAndTheApiIsNotLiveOnceItsEventsLoopIsKilled(KafkaFixture kafka) throws Exception {
        TestTokens tokens = TestTokens.admin();
        Map<String, String> env = new HashMap<>(Map.of(
                "KINDLING_AUTH_TOKENS_FILE", tokens.write(dir.resolve("tokens.yaml")).toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix(),
                "KINDLING_HTTP_HOST", "127.0.0.1",
                "KINDLING_HTTP_PORT", "0",
                "KINDLING_BLOB_STORE", "local",
                "KINDLING_BLOB_DIR", dir.resolve("blobs").toString()));
        Vertx vertx = Vertx.vertx();
        HttpClient http = HttpClient.newHttpClient();
        try (Management management = Management.inMemory();
             ApiComponent api = ApiComponent.start(env, vertx, management)) {
            await().atMost(DEADLINE).until(() -> management.health().ready().ok());
            assertThat(management.health().ready().checks()).containsEntry("api", true)
                    .containsEntry("api.kafka", true).containsEntry("api.blob-store", true);
            String base = "http://127.0.0.1:" + api.port();
            String bearer = tokens.get("admin").bearer();

            assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/v1/jobs/no-such-job"))
                    .header("Authorization", bearer).build())).isEqualTo(404);
            assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/v1/jobs"))
                    .header("Authorization", bearer).build())).isEqualTo(200);
            assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/v1/jobs")).build())).isEqualTo(401);

            await().atMost(DEADLINE).untilAsserted(() -> assertThat(management.scrape())
                    .contains("kindling_http_server_requests_seconds_count{method=\"GET\",operation=\"getJob\","
                            + "outcome=\"CLIENT_ERROR\",status=\"404\"} 1")
                    .contains("kindling_http_server_requests_seconds_count{method=\"GET\",operation=\"listJobs\","
                            + "outcome=\"SUCCESS\",status=\"200\"} 1")
                    .contains("kindling_http_server_requests_seconds_count{method=\"GET\",operation=\"none\","
                            + "outcome=\"CLIENT_ERROR\",status=\"401\"} 1")
                    .contains("kindling_api_streams 0.0"));

            management.health().loopNamed("api.events").orElseThrow().kill();

            // the killed thread dies of an uncaught error: the point, not a failure of the test
            await().atMost(DEADLINE).dontCatchUncaughtExceptions().untilAsserted(() -> assertThat(
                    management.health().live().checks()).containsEntry("api.events", false).containsEntry("api", false));
            assertThat(management.health().live().ok()).isFalse();
            assertThat(status(http, HttpRequest.newBuilder(URI.create(base + "/health/live")).build())).isEqualTo(503);
        } finally {
            http.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static int status(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
