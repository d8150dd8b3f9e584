package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.RunAssignment;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A fixed run assignment and pool for the driver-pod tests. */
final class DriverPodFixtures {
    static final String NAMESPACE = "spark-jobs";
    static final Instant ASSIGNED_AT = Instant.parse("2026-11-21T06:00:00Z");
    static final Map<String, SecretKeyRef> SECRETS = Map.of("STORAGE_KEY", new SecretKeyRef("storage-account", "key"));

    private DriverPodFixtures() {
    }

    static JobSpec spec(Application app, Map<String, String> conf, Map<String, String> env) {
        return new JobSpec("nightly", "aks", app, conf, null, Map.of("tenant", "analytics"),
                List.of("local:///opt/app/lib.zip"), List.of(), List.of(), List.of(), List.of(), env, null, null, null)
                .withTenant("analytics");
    }

    static RunAssignment run(String jobId, int attempt, Application app, Map<String, String> conf,
            Map<String, String> env) {
        return RunAssignment.of(jobId, attempt, spec(app, conf, env), ASSIGNED_AT);
    }

    /** The golden files' assignment: a Python job, attempt 2. */
    static RunAssignment run() {
        return run("nightly-etl", 2,
                new Application(ApplicationType.PYTHON, "local:///opt/app/etl.py", null, List.of("--date", "2026-11-21")),
                Map.of("spark.sql.shuffle.partitions", "64", "spark.executor.instances", "2"),
                Map.of("LOG_LEVEL", "info"));
    }

    static RunAssignment python(String jobId, int attempt, List<String> args) {
        return run(jobId, attempt, new Application(ApplicationType.PYTHON, "local:///opt/app/etl.py", null, args),
                Map.of(), Map.of());
    }

    /** A pool that sets every option. */
    static DriverPodPoolConfig pool() {
        return pool(Duration.ofMinutes(10), Duration.ofMinutes(5));
    }

    static DriverPodPoolConfig pool(Duration cleanupDelay, Duration unschedulablePatience) {
        Affinity affinity = new AffinityBuilder().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addNewMatchExpression().withKey("kubernetes.azure.com/mode")
                .withOperator("In").withValues("user").endMatchExpression().endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().build();
        Toleration toleration = new TolerationBuilder().withKey("spark").withOperator("Equal").withValue("true")
                .withEffect("NoSchedule").build();
        Volume volume = new VolumeBuilder().withName("eventlogs").withNewPersistentVolumeClaim()
                .withClaimName("spark-eventlogs").endPersistentVolumeClaim().build();
        VolumeMount mount = new VolumeMountBuilder().withName("eventlogs").withMountPath("/kindling/eventlogs").build();
        return new DriverPodPoolConfig(NAMESPACE, "myacr.azurecr.io/spark-py:4.0", null, "spark", "IfNotPresent",
                List.of("acr-pull"), new DriverPodPoolConfig.Resources(2, 2048, 512, "2"),
                new DriverPodPoolConfig.Resources(2, 4096, 1024, null), Map.of("agentpool", "spark"), affinity,
                List.of(toleration), "spark-batch", "volcano", List.of(volume), List.of(mount),
                new DriverPodPoolConfig.IngressSettings(true, "spark.example.com", "nginx", "/spark/", true,
                        Map.of("nginx.ingress.kubernetes.io/rewrite-target", "/$2")),
                "file:/kindling/eventlogs", cleanupDelay, unschedulablePatience,
                Map.of("spark.dynamicAllocation.enabled", "false"),
                new DriverPodPoolConfig.ArtifactInit("kindling/worker:test", "kindling-blob-store"));
    }
}
