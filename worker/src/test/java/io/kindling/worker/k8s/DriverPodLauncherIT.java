package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.Adoption;
import io.kindling.worker.launcher.AppExit;
import io.kindling.worker.launcher.Launch;
import java.io.StringReader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The driver-pod backend against fabric8's mock API server in CRUD mode. There is no kubelet:
 * the test plays it, writing the pod's status as a kubelet or scheduler would.
 */
@EnableKubernetesMockClient(crud = true)
class DriverPodLauncherIT {
    private static final String NS = DriverPodFixtures.NAMESPACE;
    static final Duration WAIT = Duration.ofSeconds(20);
    /** Far less than the fixtures' cleanup delay (10 min), so "at once" stays told apart from "after the delay". */
    static final Duration CLEANUP_WAIT = Duration.ofSeconds(90);

    KubernetesClient client;
    private DriverPodLauncher launcher;

    /** The Secret the fixtures' jobs (tenant analytics) refer to, marked as that tenant's. */
    @org.junit.jupiter.api.BeforeEach
    void tenantSecret() {
        secret("storage-account", "analytics");
    }

    private void secret(String name, String tenant) {
        var meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NS);
        if (tenant != null) {
            meta.addToLabels(DriverPodManifests.TENANT, tenant);
        }
        client.secrets().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withMetadata(meta.build()).addToStringData("key", "s3cr3t").build()).createOr(
                        io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    }

    @Test
    void aJobMayReferOnlyToSecretsLabelledWithItsTenant() throws Exception {
        secret("storage-account", "other-team");
        secret("kindling-blob-store", null);
        launcher = launcher(DriverPodFixtures.pool());
        assertThat(launcher.launch(DriverPodFixtures.run())).isInstanceOfSatisfying(Launch.Refused.class,
                r -> assertThat(r.message()).contains("secret 'storage-account' is not available to tenant 'analytics'"));
        DriverPodLauncher own = new DriverPodLauncher(client, DriverPodFixtures.pool(), run -> Map.of("BLOB",
                new SecretKeyRef("kindling-blob-store", "KINDLING_AZURE_CONNECTION_STRING")), Clock.systemUTC());
        try {
            assertThat(own.launch(DriverPodFixtures.run())).isInstanceOfSatisfying(Launch.Refused.class,
                    r -> assertThat(r.message()).contains("kindling-blob-store").doesNotContain("s3cr3t"));
            DriverPodLauncher missing = new DriverPodLauncher(client, DriverPodFixtures.pool(), run -> Map.of("X",
                    new SecretKeyRef("no-such-secret", "k")), Clock.systemUTC());
            assertThat(missing.launch(DriverPodFixtures.run())).isInstanceOf(Launch.Refused.class);
            missing.close();
        } finally {
            own.close();
        }
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
        secret("storage-account", "analytics");
        assertThat(launcher.launch(DriverPodFixtures.run())).isInstanceOf(Launch.Started.class);
        awaitWatching(launcher, DriverPodFixtures.run().attemptId());
    }

    /** Until the launcher's informer has seen the attempt's pod (so closing it does not race its start). */
    static void awaitWatching(DriverPodLauncher launcher, String attemptId) {
        await().atMost(WAIT).until(() -> launcher.app(attemptId) != null && launcher.app(attemptId).lastPod() != null);
    }

    @Test
    void aRetryDeletesTheDriverPodAnEarlierAttemptLeftRunningBeforeItStarts() throws Exception {
        DriverPodLauncher deadHost = launcher(DriverPodFixtures.pool());
        assertThat(deadHost.launch(DriverPodFixtures.python("orphaned", 1, List.of()))).isInstanceOf(Launch.Started.class);
        assertThat(deadHost.launch(DriverPodFixtures.python("finished", 1, List.of()))).isInstanceOf(Launch.Started.class);
        assertThat(deadHost.launch(DriverPodFixtures.python("orphaned-too", 1, List.of()))).isInstanceOf(Launch.Started.class);
        for (String attemptId : List.of("orphaned-a1", "finished-a1", "orphaned-too-a1")) {
            awaitWatching(deadHost, attemptId);
        }
        setStatus("kd-orphaned-a1-driver", PodStatuses.running());
        setStatus("kd-finished-a1-driver", PodStatuses.terminated("Succeeded", 0, "Completed"));
        setStatus("kd-orphaned-too-a1-driver", PodStatuses.running());
        deadHost.close(); // the host dies: nothing watches these pods any more

        launcher = launcher(DriverPodFixtures.pool());
        assertThat(launcher.launch(DriverPodFixtures.python("orphaned", 2, List.of()))).isInstanceOf(Launch.Started.class);
        assertThat(launcher.launch(DriverPodFixtures.python("finished", 2, List.of()))).isInstanceOf(Launch.Started.class);
        awaitWatching(launcher, "orphaned-a2");
        awaitWatching(launcher, "finished-a2");

        assertThat(client.pods().inNamespace(NS).withName("kd-orphaned-a1-driver").get()).isNull();
        pod("kd-orphaned-a2-driver");
        pod("kd-finished-a1-driver"); // ended: kept for its cleanup delay (its log stays readable)
        pod("kd-orphaned-too-a1-driver"); // another job's attempt
    }

    @AfterEach
    void close() {
        if (launcher != null) {
            launcher.close();
        }
        // the client's open watches first: the mock server's close waits for its connections, 10 s at most
        MockApiServer.closeWhenAnswering(client);
    }

    @Test
    void launchCreatesThePodAndObjectsItOwnsWithLabelsAndConf() throws Exception {
        launcher = launcher(DriverPodFixtures.pool());
        RunAssignment run = DriverPodFixtures.run();
        assertThat(launcher.launch(run)).isInstanceOf(Launch.Started.class);

        Pod pod = pod("kd-nightly-etl-a2-driver");
        assertThat(pod.getMetadata().getLabels()).containsEntry("app-name", "nightly-etl-a2")
                .containsEntry("spark-role", "driver").containsEntry("kindling.io/job-id", "nightly-etl")
                .containsEntry("kindling.io/attempt", "2").containsEntry("kindling.io/attempt-id", "nightly-etl-a2")
                .containsEntry("kindling.io/tenant", "analytics");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getSchedulerName()).isEqualTo("volcano");
        assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("spark");

        ConfigMap conf = client.configMaps().inNamespace(NS).withName("kd-nightly-etl-a2-conf").get();
        Service headless = client.services().inNamespace(NS).withName("kd-nightly-etl-a2-svc").get();
        Service ui = client.services().inNamespace(NS).withName("kd-nightly-etl-a2-ui").get();
        Ingress ingress = client.network().v1().ingresses().inNamespace(NS).withName("kd-nightly-etl-a2-ui").get();
        for (HasMetadata owned : List.<HasMetadata>of(conf, headless, ui, ingress)) {
            assertThat(owned.getMetadata().getLabels()).containsEntry("kindling.io/attempt-id", "nightly-etl-a2");
            List<OwnerReference> owners = owned.getMetadata().getOwnerReferences();
            assertThat(owners).singleElement().satisfies(owner -> {
                assertThat(owner.getKind()).isEqualTo("Pod");
                assertThat(owner.getName()).isEqualTo(pod.getMetadata().getName());
                assertThat(owner.getUid()).isEqualTo(pod.getMetadata().getUid());
            });
        }
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getSelector()).containsEntry("spark-role", "driver");
        assertThat(ui.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(4040));
        assertThat(ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getPath())
                .isEqualTo("/spark/nightly-etl-a2(/|$)(.*)");

        Properties sparkConf = new Properties();
        sparkConf.load(new StringReader(conf.getData().get("spark-defaults.conf")));
        assertThat(sparkConf.getProperty("spark.kubernetes.driver.pod.name")).isEqualTo("kd-nightly-etl-a2-driver");
        assertThat(sparkConf.getProperty("spark.driver.host")).isEqualTo("kd-nightly-etl-a2-svc.spark-jobs.svc");
        assertThat(sparkConf.getProperty("spark.ui.proxyBase")).isEqualTo("/spark/nightly-etl-a2");
        assertThat(sparkConf.getProperty("spark.submit.deployMode")).isEqualTo("client");
        assertThat(sparkConf.getProperty("spark.sql.shuffle.partitions")).isEqualTo("64");
        assertThat(launcher.app("nightly-etl-a2").sparkUiUrl()).contains("https://spark.example.com/spark/nightly-etl-a2/");
    }

    @Test
    void runningThenSucceededGiveTheAppIdThenASuccessfulExitAndThePodIsCleanedUpLater() throws Exception {
        launcher = launcher(DriverPodFixtures.pool(Duration.ofMillis(300), Duration.ofMinutes(5)));
        DriverPodApp app = started(launcher.launch(DriverPodFixtures.python("ok", 1, List.of())));
        CompletableFuture<Optional<String>> appId = async(app::awaitAppId);
        assertThat(appId).isNotDone();
        setStatus("kd-ok-a1-driver", PodStatuses.running());
        await().atMost(WAIT).until(appId::isDone);
        assertThat(appId.get()).contains("kd-ok-a1");

        setStatus("kd-ok-a1-driver", PodStatuses.terminated("Succeeded", 0, "Completed"));
        assertThat(exitOf(app).succeeded()).isTrue();
        await().atMost(CLEANUP_WAIT)
                .until(() -> client.pods().inNamespace(NS).withName("kd-ok-a1-driver").get() == null);
    }

    static Stream<Arguments> containerReasons() {
        return Stream.of(
                Arguments.of("oom", PodStatuses.terminated("Failed", 137, "OOMKilled"), FailureReason.OOM_KILLED, 137, false),
                Arguments.of("err", PodStatuses.terminated("Failed", 1, "Error"), FailureReason.APP_FAILED, 1, false),
                Arguments.of("crash", PodStatuses.crashLoop(2), FailureReason.APP_FAILED, 2, true),
                Arguments.of("pull", PodStatuses.waiting("ImagePullBackOff", "Back-off pulling image"),
                        FailureReason.IMAGE_PULL, -1, true),
                Arguments.of("cfg", PodStatuses.waiting("CreateContainerConfigError",
                        "secret \"storage-account\" not found"), FailureReason.SUBMISSION_FAILED, -1, true),
                Arguments.of("fetch", PodStatuses.initFailed(1, "artifact not found in the blob store"),
                        FailureReason.SUBMISSION_FAILED, 1, false),
                Arguments.of("sched", PodStatuses.unschedulable(Instant.now().minus(Duration.ofHours(1))),
                        FailureReason.SUBMISSION_FAILED, -1, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containerReasons")
    void containerReasonsBecomeFailureReasons(String jobId, PodStatus status, FailureReason reason, int exitCode,
            boolean deletedAtOnce)
            throws Exception {
        launcher = launcher(DriverPodFixtures.pool());
        DriverPodApp app = started(launcher.launch(DriverPodFixtures.python(jobId, 1, List.of())));
        setStatus("kd-" + jobId + "-a1-driver", status);
        AppExit exit = exitOf(app);
        assertThat(exit.reason()).isEqualTo(reason);
        assertThat(exit.exitCode()).isEqualTo(exitCode);
        assertThat(exit.cancelled()).isFalse();
        assertThat(exit.message()).isNotBlank();
        if (deletedAtOnce) {
            // a pod that will never start (or restarts the driver) is deleted at once, not after the cleanup delay
            // (10 min here): a loaded machine may delay the launcher's housekeeping thread, so this waits longer
            await().atMost(CLEANUP_WAIT).until(
                    () -> client.pods().inNamespace(NS).withName("kd-" + jobId + "-a1-driver").get() == null);
        } else {
            assertThat(client.pods().inNamespace(NS).withName("kd-" + jobId + "-a1-driver").get()).isNotNull();
        }
    }

    @Test
    void anUnschedulablePodFailsWhenThePatienceRunsOutWithoutAnotherEvent() throws Exception {
        launcher = launcher(DriverPodFixtures.pool(Duration.ofMinutes(10), Duration.ofMillis(500)));
        DriverPodApp app = started(launcher.launch(DriverPodFixtures.python("wait", 1, List.of())));
        setStatus("kd-wait-a1-driver", PodStatuses.unschedulable(Instant.now()));
        AppExit exit = exitOf(app);
        assertThat(exit.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(exit.message()).contains("Insufficient memory");
    }

    @Test
    void cancelDeletesThePodAndTheExitSaysCancelled() throws Exception {
        launcher = launcher(DriverPodFixtures.pool());
        DriverPodApp app = started(launcher.launch(DriverPodFixtures.python("stop", 1, List.of())));
        setStatus("kd-stop-a1-driver", PodStatuses.running());
        assertThat(launcher.cancel("stop-a1")).isTrue();
        assertThat(client.pods().inNamespace(NS).withName("kd-stop-a1-driver").get()).isNull();
        AppExit exit = exitOf(app);
        assertThat(exit.cancelled()).isTrue();
        assertThat(exit.succeeded()).isFalse();
        assertThat(launcher.cancel("never-launched-a1")).isFalse();
    }

    @Test
    void aPodDeletedBySomeoneElseIsLost() throws Exception {
        launcher = launcher(DriverPodFixtures.pool());
        DriverPodApp app = started(launcher.launch(DriverPodFixtures.python("gone", 1, List.of())));
        client.pods().inNamespace(NS).withName("kd-gone-a1-driver").delete();
        assertThat(exitOf(app).reason()).isEqualTo(FailureReason.LOST);
    }

    @Test
    void aRestartedWorkerAdoptsThePodInsteadOfCreatingAnother() throws Exception {
        RunAssignment run = DriverPodFixtures.python("again", 1, List.of("x"));
        DriverPodLauncher first = launcher(DriverPodFixtures.pool());
        started(first.launch(run));
        String uid = pod("kd-again-a1-driver").getMetadata().getUid();
        // the first worker crashed after creating the pod but before its ConfigMap ... and stopped watching
        client.configMaps().inNamespace(NS).withName("kd-again-a1-conf").delete();
        await().atMost(WAIT).until(() -> client.configMaps().inNamespace(NS).withName("kd-again-a1-conf").get() == null);
        first.close();

        launcher = launcher(DriverPodFixtures.pool());
        assertThat(launcher.adopt(run)).isInstanceOf(Adoption.Running.class);
        DriverPodApp app = started(launcher.launch(run));
        assertThat(client.pods().inNamespace(NS).list().getItems()).singleElement()
                .satisfies(p -> assertThat(p.getMetadata().getUid()).isEqualTo(uid));
        assertThat(client.configMaps().inNamespace(NS).withName("kd-again-a1-conf").get().getMetadata()
                .getOwnerReferences().get(0).getUid()).isEqualTo(uid);
        setStatus("kd-again-a1-driver", PodStatuses.terminated("Failed", 4, "Error"));
        assertThat(exitOf(app).exitCode()).isEqualTo(4);

        assertThat(launcher.adopt(DriverPodFixtures.python("other", 1, List.of())))
                .isInstanceOf(Adoption.NotLaunched.class);
    }

    @Test
    void anUnusableRequestIsRefusedAndCreatesNothing() throws Exception {
        launcher = launcher(DriverPodFixtures.pool());
        Launch launch = launcher.launch(DriverPodFixtures.run("bad", 1, new io.kindling.schemas.Application(
                io.kindling.schemas.ApplicationType.PYTHON, "relative.py", null, List.of()), Map.of(), Map.of()));
        assertThat(launch).isInstanceOfSatisfying(Launch.Refused.class,
                r -> assertThat(r.message()).contains("absolute path"));
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    private DriverPodLauncher launcher(DriverPodPoolConfig pool) {
        return new DriverPodLauncher(client, pool, run -> DriverPodFixtures.SECRETS, Clock.systemUTC());
    }

    static DriverPodApp started(Launch launch) {
        assertThat(launch).isInstanceOf(Launch.Started.class);
        return (DriverPodApp) ((Launch.Started) launch).app();
    }

    private Pod pod(String name) {
        return pod(client, name);
    }

    static Pod pod(KubernetesClient client, String name) {
        Pod pod = client.pods().inNamespace(NS).withName(name).get();
        assertThat(pod).as("pod %s", name).isNotNull();
        return pod;
    }

    private void setStatus(String podName, PodStatus status) {
        setStatus(client, podName, status);
    }

    /** Writes the pod's status, as the kubelet or the scheduler would. */
    static void setStatus(KubernetesClient client, String podName, PodStatus status) {
        Pod pod = pod(client, podName);
        pod.setStatus(status);
        client.pods().inNamespace(NS).resource(pod).updateStatus();
    }

    static AppExit exitOf(DriverPodApp app) throws Exception {
        CompletableFuture<AppExit> exit = async(app::awaitExit);
        await().atMost(WAIT).until(exit::isDone);
        return exit.get();
    }

    interface Blocking<T> {
        T get() throws InterruptedException;
    }

    static <T> CompletableFuture<T> async(Blocking<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }
}
