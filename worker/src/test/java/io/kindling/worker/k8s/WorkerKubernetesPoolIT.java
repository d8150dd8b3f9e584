package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.RunAssignment;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import io.kindling.worker.Runs;
import io.kindling.worker.WorkerComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker serving a {@code backend: kubernetes} pool of a pools file, end to end: a run assignment on
 * the pool's topic becomes a driver pod in fabric8's mock API server (CRUD mode), and the pod's status,
 * written by the test as a kubelet would, becomes the attempt's reports on the reports topic.
 */
@ExtendWith(KafkaTestExtension.class)
@EnableKubernetesMockClient(crud = true)
@Timeout(120)
class WorkerKubernetesPoolIT {
    private static final String NS = "spark-jobs";
    private static final Duration WAIT = Duration.ofSeconds(30);

    KubernetesClient client;

    @AfterEach
    void closeClient() {
        // the client's open watches first: the mock server's close waits for its connections, 10 s at most
        MockApiServer.closeWhenAnswering(client);
    }

    @Test
    void a_run_on_a_kubernetes_pool_becomes_a_driver_pod_whose_phases_are_reported(KafkaFixture kafka,
            @TempDir Path dir) throws Exception {
        RunAssignment run = Runs.python("k8s-ok", "aks", "local:///opt/app/etl.py", "--day", "1");
        try (WorkerComponent component = WorkerComponent.start(env(kafka, dir), pool -> client)) {
            kafka.send(kafka.topic("runs.aks"), run.jobId(), Json.encode(run));

            Pod pod = awaitPod("kd-k8s-ok-a1-driver");
            assertThat(pod.getMetadata().getLabels()).containsEntry("kindling.io/job-id", "k8s-ok")
                    .containsEntry("kindling.io/attempt", "1").containsEntry("kindling.io/attempt-id", run.attemptId())
                    .containsEntry("spark-role", "driver");
            assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("spark");
            assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("myacr.azurecr.io/spark-py:4.0");

            setStatus(pod, PodStatuses.running());
            awaitState(kafka, run, JobState.RUNNING);
            setStatus(pod, PodStatuses.terminated("Succeeded", 0, "Completed"));
            awaitState(kafka, run, JobState.SUCCEEDED);

            assertThat(states(kafka, run)).containsSubsequence(JobState.SUBMITTING, JobState.RUNNING, JobState.SUCCEEDED);
        }
    }

    @Test
    void a_failed_artifact_fetch_in_the_init_container_is_a_submission_failure(KafkaFixture kafka, @TempDir Path dir)
            throws Exception {
        String tenant = Runs.python("k8s-fetch", "aks", "local:///x").tenant();
        RunAssignment run = Runs.python("k8s-fetch", "aks", "artifact://" + tenant + "/" + "a".repeat(64) + "/etl.py");
        try (WorkerComponent component = WorkerComponent.start(env(kafka, dir), pool -> client)) {
            kafka.send(kafka.topic("runs.aks"), run.jobId(), Json.encode(run));

            Pod pod = awaitPod("kd-k8s-fetch-a1-driver");
            assertThat(pod.getSpec().getInitContainers()).extracting(c -> c.getName())
                    .containsExactly(DriverPodManifests.FETCH_CONTAINER);
            setStatus(pod, PodStatuses.initFailed(1, "artifact etl.py: sha256 mismatch"));

            AttemptReport failed = awaitState(kafka, run, JobState.FAILED);
            assertThat(failed.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
            assertThat(failed.message()).contains("sha256 mismatch");
        }
    }

    private Map<String, String> env(KafkaFixture kafka, Path dir) throws Exception {
        Path pools = Files.writeString(dir.resolve("pools.yaml"), """
                pools:
                  aks:
                    backend: kubernetes
                    namespace: %s
                    image: myacr.azurecr.io/spark-py:4.0
                    serviceAccount: spark
                    imagePullPolicy: IfNotPresent
                    schedulerName: volcano
                    tolerations: [{key: spark, operator: Equal, value: "true", effect: NoSchedule}]
                    cleanupDelaySeconds: 600
                    blobStoreSecret: kindling-blob-store
                """.formatted(NS));
        return Map.of(
                "KINDLING_CONFIG", pools.toString(),
                "KINDLING_WORKER_ID", "k8s-it",
                "KINDLING_WORKER_POOL", "aks",
                "KINDLING_HOME", dir.resolve("home").toString(),
                "KINDLING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "KINDLING_TOPIC_PREFIX", kafka.topicPrefix());
    }

    private Pod awaitPod(String name) {
        await().atMost(WAIT).until(() -> client.pods().inNamespace(NS).withName(name).get() != null);
        return client.pods().inNamespace(NS).withName(name).get();
    }

    private void setStatus(Pod created, PodStatus status) {
        Pod pod = client.pods().inNamespace(NS).withName(created.getMetadata().getName()).get();
        pod.setStatus(status);
        client.pods().inNamespace(NS).resource(pod).updateStatus();
    }

    private static AttemptReport awaitState(KafkaFixture kafka, RunAssignment run, JobState state) {
        java.util.concurrent.atomic.AtomicReference<AttemptReport> found = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            reports(kafka, run).stream().filter(r -> r.state() == state).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    private static List<JobState> states(KafkaFixture kafka, RunAssignment run) {
        return reports(kafka, run).stream().map(AttemptReport::state).toList();
    }

    private static List<AttemptReport> reports(KafkaFixture kafka, RunAssignment run) {
        try {
            return kafka.awaitRecords(kafka.topic("attempts.reports"), 1, Duration.ofSeconds(2)).stream()
                    .map(r -> Json.decode(r.value(), AttemptReport.class))
                    .filter(r -> r.type() == AttemptReport.Type.STATE && r.attemptId().equals(run.attemptId())).toList();
        } catch (AssertionError notYet) {
            return List.of();
        }
    }
}
