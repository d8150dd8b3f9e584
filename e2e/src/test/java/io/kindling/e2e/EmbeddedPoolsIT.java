package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaAcls;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.JobWaiting;
import io.kindling.schemas.Topics;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import io.kindling.testsupport.kafka.SharedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded stack ({@code ./kindling up}) with a pools file declaring two local pools and a
 * Kubernetes one, and no {@code KINDLING_WORKER_POOL}: a job of the second local pool runs to
 * SUCCEEDED on real spark-submit; a job of the Kubernetes pool, which no worker here serves, says
 * so in its view and in {@code kindling_pool_live_workers} until a member of the pool's worker
 * group takes its runs topic.
 */
@ExtendWith(SharedAzurite.class)
@Timeout(600)
class EmbeddedPoolsIT {
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(4);
    private static final Duration LOOK_DEADLINE = Duration.ofSeconds(90);
    private static final String PREFIX = "e2e-pools.";

    @TempDir
    static Path home;
    @AutoClose
    private static E2eStack e2e;
    private static KindlingClient client;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startStack(AzuriteFixture azurite) throws Exception {
        Path pools = Files.writeString(home.resolve("pools.yaml"), """
                pools:
                  first: {master: 'local[1]'}
                  second: {master: 'local[1]'}
                  aks: {backend: kubernetes, image: 'apache/spark:4.0.1'}
                """);
        e2e = E2eStack.start("pools", home, azurite, Map.of("KINDLING_CONFIG", pools.toString()));
        client = e2e.client();
    }

    @Test
    void aJobOfTheSecondDeclaredPoolSucceeds() throws Exception {
        String id = submit("second");
        JobView view = client.awaitTerminal(id, JOB_DEADLINE);

        assertThat(view.state()).as("job %s: %s", id, view).isEqualTo(JobState.SUCCEEDED);
        assertThat(view.pool()).isEqualTo("second");
        assertThat(view.attempts().get(0).workerId()).endsWith("-second");
        assertThat(view.waiting()).isNull();
    }

    @Test
    void aJobOfAPoolNoLiveWorkerServesSaysSoUntilAWorkerOfThePoolJoins() throws Exception {
        String id = submit("aks");
        JobView waiting = await().atMost(LOOK_DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> client.job(id), v -> v.waiting() != null);
        assertThat(waiting.state()).isIn(JobState.QUEUED, JobState.DISPATCHED);
        assertThat(waiting.waiting().reason()).isEqualTo(JobWaiting.Reason.NO_LIVE_WORKER);
        assertThat(waiting.waiting().message()).startsWith("no live worker serves pool 'aks' (none seen since ");
        assertThat(client.get("/v1/jobs/" + id).body()).contains("\"waiting\":{\"reason\":\"NO_LIVE_WORKER\"");
        await().atMost(LOOK_DEADLINE).untilAsserted(() -> {
            String metrics = metrics();
            assertThat(liveWorkers(metrics, "aks")).isZero();
            assertThat(liveWorkers(metrics, "second")).isEqualTo(1.0);
        });

        // a worker of the pool joins its group and takes its runs topic (as WorkerComponent's consumer does)
        try (KafkaConsumer<String, byte[]> worker = workerOf("aks")) {
            worker.subscribe(List.of(new Topics(PREFIX).runs("aks")));
            await().atMost(LOOK_DEADLINE).pollInSameThread().pollInterval(Duration.ofMillis(200)).until(() -> {
                worker.poll(Duration.ofMillis(100));
                return client.job(id).waiting() == null;
            });
            assertThat(liveWorkers(metrics(), "aks")).isEqualTo(1.0);
        }
    }

    private static String submit(String pool) throws Exception {
        Path file = ProjectTools.projectDir().resolve("examples").resolve("pi.py");
        return client.submit("""
                {"name": "pi", "pool": "%s", "application": {"type": "python", "file": "%s", "args": ["2"]},
                 "conf": {"spark.ui.enabled": "false"}}
                """.formatted(pool, file.toUri()));
    }

    private static KafkaConsumer<String, byte[]> workerOf(String pool) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, KafkaAcls.workerGroup(pool));
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static String metrics() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(e2e.managementUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static double liveWorkers(String metrics, String pool) {
        Matcher m = Pattern.compile("(?m)^kindling_pool_live_workers\\{pool=\"" + pool + "\"\\} (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("kindling_pool_live_workers of pool %s in the scrape", pool).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
