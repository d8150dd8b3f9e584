package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kindling.common.relay.RelayAgentMain;
import io.kindling.schemas.RunAssignment;
import io.kindling.worker.launcher.SparkConnectServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What makes a session's driver pod (docs/sessions.md): the driver runs Spark's
 * {@link SparkConnectServer#MAIN_CLASS} bound to {@code 127.0.0.1:}{@value #CONNECT_PORT} (nothing
 * outside the pod reaches the pod's loopback; no Service or container port names it), and a
 * sidecar, {@value #RELAY_CONTAINER}, runs {@link RelayAgentMain} from the Kindling image: it
 * shares the pod's loopback, dials OUT to the gateway and writes a ready file once the server
 * answers and the agent is started. Its exec startup probe ({@code RelayAgentMain check}) turns
 * that file into the container's {@code ready}, which the worker waits for (a kubelet TCP or HTTP
 * probe targets the pod IP, never loopback). The agent secret and the CA are in a per-attempt
 * Secret owned by the pod, mounted read-only; nothing secret is in the pod spec.
 */
final class DriverPodSession {
    static final String RELAY_CONTAINER = "kindling-relay-agent";
    static final int CONNECT_PORT = 15002;
    static final String SECRET_VOLUME = "kindling-relay";
    static final String SECRET_DIR = "/kindling/relay";
    static final String SECRET_KEY = "agent-secret";
    static final String CA_KEY = "ca.pem";
    static final String STATE_VOLUME = "kindling-relay-state";
    static final String STATE_DIR = "/kindling/relay-state";
    static final String READY_FILE = STATE_DIR + "/ready";
    static final String MAIN = RelayAgentMain.class.getName();
    static final int PROBE_PERIOD_SECONDS = 2;

    private DriverPodSession() {
    }

    /** The server's listener, set by the worker over any conf of the pool or the session. */
    static Map<String, String> conf() {
        return Map.of(SparkConnectServer.ADDRESS_CONF, SparkConnectServer.BINDING_ADDRESS,
                SparkConnectServer.PORT_CONF, Integer.toString(CONNECT_PORT));
    }

    /**
     * The per-attempt Secret: the session's agent secret and the CA the sidecar trusts. It carries
     * no {@value DriverPodManifests#TENANT} label, so no job (not even one of the session's tenant)
     * may name it in its {@code secretRefs}: only the sidecar reads it.
     */
    static Secret secret(ObjectMeta meta, RunAssignment run, DriverPodRelay relay) {
        meta.getLabels().remove(DriverPodManifests.TENANT);
        return new SecretBuilder().withMetadata(meta).withType("Opaque")
                .addToStringData(SECRET_KEY, relay.agentSecret().apply(run.jobId()))
                .addToStringData(CA_KEY, relay.caPem())
                .build();
    }

    /** The relay-agent sidecar: the Kindling image (the pool's artifact-fetch image), argv only. */
    static Container sidecar(DriverPodPoolConfig pool, RunAssignment run, DriverPodRelay relay) {
        List<String> args = new ArrayList<>(List.of("run",
                "--gateway-host", relay.gatewayHost(), "--gateway-port", Integer.toString(relay.agentPort()),
                "--ca", SECRET_DIR + "/" + CA_KEY, "--session", DriverCommand.kubeletLiteral(run.jobId()),
                "--secret-file", SECRET_DIR + "/" + SECRET_KEY, "--server-port", Integer.toString(CONNECT_PORT),
                "--ready-file", READY_FILE));
        int failures = (int) Math.max(1, relay.readyWithin().toSeconds() / PROBE_PERIOD_SECONDS);
        return DriverPodArtifacts.kindlingMain(pool, RELAY_CONTAINER, MAIN, args)
                .withNewStartupProbe()
                .withNewExec().withCommand("java", "-cp", DriverPodArtifacts.CLASSPATH, MAIN, "check",
                        "--ready-file", READY_FILE).endExec()
                .withPeriodSeconds(PROBE_PERIOD_SECONDS)
                .withTimeoutSeconds(10)
                .withFailureThreshold(failures)
                .endStartupProbe()
                .withNewResources()
                .addToRequests("cpu", new Quantity("50m"))
                .addToRequests("memory", new Quantity("128Mi"))
                .addToLimits("memory", new Quantity("384Mi")) // the agent's JVM and, while starting, the probe's
                .endResources()
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withVolumeMounts(
                        new VolumeMountBuilder().withName(SECRET_VOLUME).withMountPath(SECRET_DIR).withReadOnly(true)
                                .build(),
                        new VolumeMountBuilder().withName(STATE_VOLUME).withMountPath(STATE_DIR).build())
                .build();
    }

    /** The sidecar's volumes (mounted by the sidecar only, never by the driver): the Secret and an emptyDir for the ready file. */
    static List<Volume> volumes(String secretName) {
        return List.of(
                new VolumeBuilder().withName(SECRET_VOLUME).withNewSecret().withSecretName(secretName).endSecret().build(),
                new VolumeBuilder().withName(STATE_VOLUME).withNewEmptyDir().endEmptyDir().build());
    }
}
