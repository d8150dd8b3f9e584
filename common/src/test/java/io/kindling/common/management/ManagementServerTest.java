package io.kindling.common.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.KafkaReachability;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ManagementServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesPrometheusTextWithTheJvmMetersAndOurCounters() throws Exception {
        try (Management management = Management.start(new ManagementConfig("127.0.0.1", 0))) {
            Counter.builder("kindling.test.things").tag("pool", "default").register(management.registry()).increment(3);
            HttpResponse<String> scrape = get(management, "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(scrape.body()).contains("# TYPE kindling_test_things_total counter")
                    .contains("kindling_test_things_total{pool=\"default\"} 3.0")
                    .contains("jvm_memory_used_bytes").contains("process_uptime_seconds");
        }
    }

    @Test
    void aLoopWhoseThreadDiesMakesTheProcessNotLive() throws Exception {
        try (Management management = Management.start(new ManagementConfig("127.0.0.1", 0))) {
            LoopLiveness loop = management.health().loop("test.loop");
            AtomicBoolean running = new AtomicBoolean(true);
            CountDownLatch entered = new CountDownLatch(1);
            Thread thread = new Thread(() -> {
                loop.enter();
                entered.countDown();
                while (running.get()) {
                    try {
                        loop.beat();
                    } catch (RuntimeException e) {
                        // a loop that survives its own failures does not survive the test hook (an Error)
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // pace the loop
                }
            }, "test-loop");
            thread.start();
            entered.await();
            assertThat(get(management, "/health/live").statusCode()).isEqualTo(200);
            assertThat(get(management, "/health/ready").statusCode()).isEqualTo(200);

            loop.kill();
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
            HttpResponse<String> live = get(management, "/health/live");
            assertThat(live.statusCode()).isEqualTo(503);
            assertThat(live.body()).contains("\"test.loop\":\"DOWN\"").contains("\"status\":\"DOWN\"");
            assertThat(get(management, "/health/ready").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void aLoopStoppedOnPurposeStaysLive() throws Exception {
        Health health = new Health();
        LoopLiveness loop = health.loop("closing");
        Thread thread = new Thread(loop::enter);
        thread.start();
        thread.join();
        assertThat(health.live().ok()).as("a thread that ended without stopped()").isFalse();
        loop.stopped();
        assertThat(health.live().ok()).isTrue();
    }

    @Test
    void readinessFollowsItsChecksAndLivenessDoesNot() throws Exception {
        try (Management management = Management.start(new ManagementConfig("127.0.0.1", 0))) {
            AtomicBoolean caughtUp = new AtomicBoolean(false);
            management.health().readiness("test.caught-up", caughtUp::get);
            assertThat(get(management, "/health/ready").statusCode()).isEqualTo(503);
            assertThat(get(management, "/health/live").statusCode()).isEqualTo(200);
            caughtUp.set(true);
            assertThat(get(management, "/health/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void kafkaThatCannotBeReachedMakesTheProcessNotReady() {
        KafkaConfig config = KafkaConfig.fromEnv(Map.of("KINDLING_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1"));
        try (Management management = Management.inMemory();
             KafkaReachability kafka = new KafkaReachability(new KafkaClients(config), "test-health")) {
            AtomicBoolean probed = new AtomicBoolean();
            management.health().readinessProbe("test.kafka", () -> {
                try {
                    return kafka.call();
                } finally {
                    probed.set(true);
                }
            });
            await().atMost(Duration.ofSeconds(20)).untilTrue(probed);
            assertThat(management.health().ready().ok()).isFalse();
            assertThat(management.health().ready().checks()).containsEntry("test.kafka", false);
            assertThat(management.health().live().ok()).isTrue();
        }
    }

    private HttpResponse<String> get(Management management, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
