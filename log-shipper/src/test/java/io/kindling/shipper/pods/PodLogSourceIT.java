package io.kindling.shipper.pods;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.Json;
import io.kindling.shipper.ShipperMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Driver pod logs against fabric8's mock API server in CRUD mode: pods are stored by the mock;
 * the {@code /log} subresource is not part of CRUD mode, so the test answers it (plain and
 * {@code follow=true}) with the log the "driver" has printed so far.
 */
@EnableKubernetesMockClient(crud = true)
class PodLogSourceIT {
    private static final String NAMESPACE = "spark-jobs";
    private static final String POD = "job-1-a1-driver";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path temp;
    private BlobStore store;
    private final AtomicReference<String> podLog = new AtomicReference<>("");
    private final ShipperMetrics metrics = new ShipperMetrics();
    private PodLogSource source;

    @BeforeEach
    void setUp() {
        store = new LocalDirBlobStore(temp.resolve("blobs"));
        String logPath = "/api/v1/namespaces/" + NAMESPACE + "/pods/" + POD + "/log?pretty=false";
        server.expect().get().withPath(logPath).andReply(200, request -> podLog.get()).always();
        server.expect().get().withPath(logPath + "&follow=true").andReply(200, request -> podLog.get()).always();
        client.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(POD)
                .addToLabels(PodAttempt.ATTEMPT_ID, "job-1-a1")
                .addToLabels(PodAttempt.TENANT, "acme")
                .addToLabels(PodAttempt.JOB_ID, "job-1")
                .addToLabels(PodAttempt.ATTEMPT, "1")
                .endMetadata()
                .withNewSpec().addNewContainer().withName("driver").withImage("spark:4.0.1").endContainer().endSpec()
                .build()).create();
        setPhase("Running");
    }

    @AfterEach
    void tearDown() {
        if (source != null) {
            source.close();
        }
        store.close();
        // the client's open watches first: the mock server's close waits for its connections, 10 s at most
        client.close();
    }

    private void setPhase(String phase) {
        Pod pod = client.pods().inNamespace(NAMESPACE).withName(POD).get();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(phase).build());
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    }

    private PodLogSource startSource() {
        source = new PodLogSource(client, NAMESPACE, store, metrics, Clock.systemUTC(), Duration.ofMillis(50),
                Duration.ofMillis(200)).start();
        return source;
    }

    private static String lines(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "driver line %06d%n".formatted(i)).collect(Collectors.joining());
    }

    private String stored() {
        String path = LogLayout.stream("acme", "job-1", 1, LogStream.STDOUT);
        return store.read(path, 0, 64 * 1024 * 1024).map(BlobRead::bytes).map(b -> new String(b, UTF_8)).orElse("");
    }

    private Optional<LogIndex> index() {
        return store.get(LogLayout.index("acme", "job-1", 1)).map(json -> Json.decode(json, LogIndex.class));
    }

    @Test
    void shipsARunningPodsLogAndResumesAfterARestartWithoutLossOrDuplication() {
        podLog.set(lines(1, 100));
        startSource();
        await().atMost(DEADLINE).until(() -> stored().equals(lines(1, 100)));
        assertThat(index()).hasValueSatisfying(index -> assertThat(index.complete()).isFalse());

        source.close(); // the shipper stops; the driver goes on printing
        podLog.set(lines(1, 250));
        startSource();
        await().atMost(DEADLINE).until(() -> stored().equals(lines(1, 250)));

        podLog.set(lines(1, 300));
        setPhase("Succeeded");
        await().atMost(DEADLINE).until(() -> index().map(LogIndex::complete).orElse(false));
        assertThat(stored()).isEqualTo(lines(1, 300));
        assertThat(index().orElseThrow().streams()).containsEntry("stdout", (long) lines(1, 300).length());
        assertThat(metrics.bytesShipped()).isEqualTo(lines(1, 300).length());
    }

    @Test
    void aShipperKilledMidLineResumesAtTheExactByte() {
        String all = lines(1, 500);
        // what a killed shipper left: the blob ends in the middle of a line
        byte[] head = all.substring(0, 1234).getBytes(UTF_8);
        store.append(LogLayout.stream("acme", "job-1", 1, LogStream.STDOUT), 0, head, 0, head.length);
        podLog.set(all);
        setPhase("Failed");

        startSource();

        await().atMost(DEADLINE).until(() -> index().map(LogIndex::complete).orElse(false));
        assertThat(stored()).isEqualTo(all);
        assertThat(store.length(LogLayout.stream("acme", "job-1", 1, LogStream.STDERR))).isZero();
    }

    @Test
    void aCompleteAttemptIsNotShippedAgain() {
        podLog.set(lines(1, 10));
        setPhase("Succeeded");
        startSource();
        await().atMost(DEADLINE).until(() -> index().map(LogIndex::complete).orElse(false));
        source.close();

        podLog.set(lines(1, 20)); // never happens to a pod that has ended; shows the log is not read again
        startSource();
        await().during(Duration.ofMillis(500)).atMost(DEADLINE).until(() -> stored().equals(lines(1, 10)));
    }
}
