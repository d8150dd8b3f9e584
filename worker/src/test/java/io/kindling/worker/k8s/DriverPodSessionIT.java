package io.kindling.worker.k8s;

import static io.kindling.worker.k8s.DriverPodLauncherIT.WAIT;
import static io.kindling.worker.k8s.DriverPodLauncherIT.async;
import static io.kindling.worker.k8s.DriverPodLauncherIT.exitOf;
import static io.kindling.worker.k8s.DriverPodLauncherIT.started;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kindling.common.relay.RelayAgentMain;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.Adoption;
import io.kindling.worker.launcher.Launch;
import io.kindling.worker.launcher.SparkConnectServer;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session (Spark Connect) on a driver-pod pool, against fabric8's mock API server in CRUD mode:
 * the test plays the kubelet, writing container statuses (the relay sidecar's {@code ready}).
 */
@EnableKubernetesMockClient(crud = true)
class DriverPodSessionIT {
    private static final String NS = DriverPodFixtures.NAMESPACE;
    private static final String CA = "-----BEGIN CERTIFICATE-----\nMIIBkindlingca\n-----END CERTIFICATE-----\n";
    private static final DriverPodRelay RELAY = new DriverPodRelay("gateway.example.com", 15003, CA,
            id -> "agent-secret-of-" + id, Duration.ofSeconds(120));

    KubernetesClient client;
    private DriverPodLauncher launcher;

    @BeforeEach
    void tenantSecret() {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withMetadata(new ObjectMetaBuilder()
                .withName("storage-account").withNamespace(NS).addToLabels(DriverPodManifests.TENANT, "analytics")
                .build()).addToStringData("key", "s3cr3t").build()).create();
    }

    @AfterEach
    void close() {
        if (launcher != null) {
            launcher.close();
        }
        // the client's open watches first: the mock server's close waits for its connections, 10 s at most
        MockApiServer.closeWhenAnswering(client);
    }

    private static RunAssignment session(String id, int attempt) {
        return DriverPodFixtures.run(id, attempt, new Application(ApplicationType.SPARK_CONNECT, null, null, List.of()),
                Map.of("spark.connect.grpc.binding.port", "4444", "spark.connect.grpc.binding.address", "0.0.0.0"),
                Map.of());
    }

    private DriverPodLauncher launcher(DriverPodRelay relay) {
        return new DriverPodLauncher(client, DriverPodFixtures.pool(), run -> DriverPodFixtures.SECRETS, relay,
                Clock.systemUTC());
    }

    @Test
    void theDriverRunsTheConnectServerOnLoopbackBesideARelaySidecarWithItsOwnSecret() throws Exception {
        launcher = launcher(RELAY);
        assertThat(launcher.launch(session("nb", 1))).isInstanceOf(Launch.Started.class);
        Pod pod = DriverPodLauncherIT.pod(client, "kd-nb-a1-driver");

        Container driver = container(pod, DriverPodManifests.DRIVER_CONTAINER);
        assertThat(driver.getArgs()).containsSequence("--class", SparkConnectServer.MAIN_CLASS)
                .last().isEqualTo(SparkConnectServer.MAIN_CLASS); // no primary resource, no arguments
        ConfigMap conf = client.configMaps().inNamespace(NS).withName("kd-nb-a1-conf").get();
        Properties sparkConf = new Properties();
        sparkConf.load(new StringReader(conf.getData().get(SparkDefaults.DEFAULTS_FILE)));
        assertThat(sparkConf.getProperty("spark.connect.grpc.binding.address")).isEqualTo("127.0.0.1");
        assertThat(sparkConf.getProperty("spark.connect.grpc.binding.port")).isEqualTo("15002");

        // nothing names the connect port: no container port, no Service port
        for (Container c : pod.getSpec().getContainers()) {
            assertThat(Optional.ofNullable(c.getPorts()).orElse(List.of())).extracting(ContainerPort::getContainerPort)
                    .doesNotContain(DriverPodSession.CONNECT_PORT);
        }
        for (Service service : client.services().inNamespace(NS).list().getItems()) {
            assertThat(service.getSpec().getPorts()).allSatisfy(p -> {
                assertThat(p.getPort()).isNotEqualTo(DriverPodSession.CONNECT_PORT);
                assertThat(p.getTargetPort() == null ? null : p.getTargetPort().getIntVal())
                        .isNotEqualTo(DriverPodSession.CONNECT_PORT);
            });
        }

        Container relay = container(pod, DriverPodSession.RELAY_CONTAINER);
        assertThat(relay.getImage()).isEqualTo(DriverPodFixtures.pool().artifacts().image());
        assertThat(relay.getCommand()).containsExactly("java");
        assertThat(relay.getArgs()).contains(RelayAgentMain.class.getName(), "run").containsSequence("--session", "nb")
                .containsSequence("--gateway-host", "gateway.example.com", "--gateway-port", "15003")
                .containsSequence("--server-port", "15002")
                .containsSequence("--secret-file", "/kindling/relay/agent-secret");
        assertThat(relay.getStartupProbe().getExec().getCommand()).contains(RelayAgentMain.class.getName(), "check");
        assertThat(relay.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo(DriverPodSession.SECRET_VOLUME);
            assertThat(m.getReadOnly()).isTrue();
        });
        assertThat(driver.getVolumeMounts()).noneMatch(m -> m.getName().equals(DriverPodSession.SECRET_VOLUME));
        assertThat(pod.getSpec().getVolumes()).anyMatch(v -> v.getSecret() != null
                && "kd-nb-a1-relay".equals(v.getSecret().getSecretName()));
        assertThat(pod.toString()).doesNotContain("agent-secret-of-nb");

        Secret secret = client.secrets().inNamespace(NS).withName("kd-nb-a1-relay").get();
        assertThat(value(secret, DriverPodSession.SECRET_KEY)).isEqualTo("agent-secret-of-nb");
        assertThat(value(secret, DriverPodSession.CA_KEY)).isEqualTo(CA);
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Pod");
            assertThat(owner.getUid()).isEqualTo(pod.getMetadata().getUid());
        });
        assertThat(secret.getMetadata().getLabels()).containsEntry(DriverPodManifests.ATTEMPT_ID, "nb-a1")
                .doesNotContainKey(DriverPodManifests.TENANT);

        // so no job, not even one of the session's tenant, may read it through its secretRefs
        DriverPodLauncher jobs = new DriverPodLauncher(client, DriverPodFixtures.pool(),
                run -> Map.of("STOLEN", new SecretKeyRef("kd-nb-a1-relay", DriverPodSession.SECRET_KEY)), null,
                Clock.systemUTC());
        try {
            assertThat(jobs.launch(DriverPodFixtures.python("thief", 1, List.of())))
                    .isInstanceOfSatisfying(Launch.Refused.class, r -> assertThat(r.message())
                            .contains("secret 'kd-nb-a1-relay' is not available to tenant 'analytics'")
                            .doesNotContain("agent-secret-of-nb"));
        } finally {
            jobs.close();
        }
    }

    @Test
    void theAttemptIsRunningOnlyOnceTheRelaySidecarIsReady() throws Exception {
        launcher = launcher(RELAY);
        DriverPodApp app = started(launcher.launch(session("ready", 1)));
        CompletableFuture<Optional<String>> appId = async(app::awaitAppId);

        DriverPodLauncherIT.setStatus(client, "kd-ready-a1-driver", status(false, null));
        await().atMost(WAIT).until(() -> relayStatus(app).isPresent());
        assertThat(appId).isNotDone(); // the driver runs, but the server does not answer / the agent is not started

        DriverPodLauncherIT.setStatus(client, "kd-ready-a1-driver", status(true, null));
        await().atMost(WAIT).until(appId::isDone);
        assertThat(appId.get()).contains("kd-ready-a1");
    }

    @Test
    void aSidecarThatEndsBeforeItIsReadyFailsTheSubmissionAndItsPodGoesAtOnce() throws Exception {
        launcher = launcher(RELAY);
        DriverPodApp app = started(launcher.launch(session("late", 1)));
        // the kubelet killed the sidecar: its startup probe ran out (the server never answered)
        DriverPodLauncherIT.setStatus(client, "kd-late-a1-driver", status(false, 137));
        var exit = exitOf(app);
        assertThat(exit.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
        assertThat(exit.message()).contains(DriverPodSession.RELAY_CONTAINER, "before the Spark Connect server was ready");
        await().atMost(DriverPodLauncherIT.CLEANUP_WAIT)
                .until(() -> client.pods().inNamespace(NS).withName("kd-late-a1-driver").get() == null);
    }

    @Test
    void whenTheServerEndsTheDriversExitIsTheAttemptsNotItsSidecars() throws Exception {
        launcher = launcher(RELAY);
        DriverPodApp app = started(launcher.launch(session("done", 1)));
        DriverPodLauncherIT.setStatus(client, "kd-done-a1-driver", status(true, null));
        PodStatus ended = PodStatuses.terminated("Succeeded", 0, "Completed");
        ended.getContainerStatuses().add(new ContainerStatusBuilder().withName(DriverPodSession.RELAY_CONTAINER)
                .withNewState().withNewTerminated().withExitCode(0).withReason("Completed").endTerminated().endState()
                .build());
        DriverPodLauncherIT.setStatus(client, "kd-done-a1-driver", ended);
        assertThat(exitOf(app).succeeded()).isTrue();
    }

    @Test
    void cancelDeletesTheSessionPod() throws Exception {
        launcher = launcher(RELAY);
        DriverPodApp app = started(launcher.launch(session("bye", 1)));
        DriverPodLauncherIT.setStatus(client, "kd-bye-a1-driver", status(true, null));
        assertThat(launcher.cancel("bye-a1")).isTrue();
        assertThat(client.pods().inNamespace(NS).withName("kd-bye-a1-driver").get()).isNull();
        assertThat(exitOf(app).cancelled()).isTrue();
    }

    @Test
    void aRestartedWorkerAdoptsTheSessionPodAndFindsItReady() throws Exception {
        RunAssignment run = session("kept", 1);
        DriverPodLauncher first = launcher(RELAY);
        started(first.launch(run));
        DriverPodLauncherIT.setStatus(client, "kd-kept-a1-driver", status(true, null));
        DriverPodLauncherIT.awaitWatching(first, "kept-a1");
        first.close();

        launcher = launcher(RELAY);
        assertThat(launcher.adopt(run)).isInstanceOfSatisfying(Adoption.Running.class, running -> {
            CompletableFuture<Optional<String>> appId = async(running.app()::awaitAppId);
            await().atMost(WAIT).until(appId::isDone);
            assertThat(appId.join()).contains("kd-kept-a1");
        });
        assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(1);
    }

    @Test
    void withoutGatewaySettingsASessionIsRefusedForRetryAndNothingIsCreated() throws Exception {
        launcher = launcher(null);
        assertThat(launcher.launch(session("none", 1))).isInstanceOfSatisfying(Launch.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(FailureReason.SUBMISSION_FAILED);
            assertThat(r.message()).contains("KINDLING_GATEWAY_AGENT_ADDRESS");
        });
        assertThat(client.pods().inNamespace(NS).list().getItems()).isEmpty();
    }

    /** The driver container running; the relay sidecar running (ready or not) or terminated with {@code exitCode}. */
    private static PodStatus status(boolean relayReady, Integer exitCode) {
        ContainerStatus driver = new ContainerStatusBuilder().withName(DriverPodManifests.DRIVER_CONTAINER)
                .withReady(true).withNewState().withNewRunning().withStartedAt("2026-11-21T06:01:00Z").endRunning()
                .endState().build();
        ContainerStatusBuilder relay = new ContainerStatusBuilder().withName(DriverPodSession.RELAY_CONTAINER)
                .withReady(relayReady);
        if (exitCode == null) {
            relay.withNewState().withNewRunning().withStartedAt("2026-11-21T06:01:00Z").endRunning().endState();
        } else {
            relay.withNewState().withNewTerminated().withExitCode(exitCode).withReason("Error")
                    .withMessage("startup probe failed").endTerminated().endState();
        }
        return new PodStatusBuilder().withPhase("Running").withContainerStatuses(driver, relay.build()).build();
    }

    private static Optional<ContainerStatus> relayStatus(DriverPodApp app) {
        Pod seen = app.lastPod();
        return seen == null || seen.getStatus() == null ? Optional.empty()
                : seen.getStatus().getContainerStatuses().stream()
                        .filter(c -> c.getName().equals(DriverPodSession.RELAY_CONTAINER)).findFirst();
    }

    private static Container container(Pod pod, String name) {
        return pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }

    /** A Secret's value, whether the API server kept it as stringData (the mock) or base64 data. */
    private static String value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().containsKey(key)) {
            return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
        }
        return secret.getStringData().get(key);
    }
}
