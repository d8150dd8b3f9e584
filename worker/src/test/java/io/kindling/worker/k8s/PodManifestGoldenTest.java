package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import java.util.List;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The manifests a pool produces for a fixed assignment, compared with the YAML files in
 * {@code src/test/resources/golden/}. After an intended change, regenerate them with
 * {@code ./mvnw -B -pl worker test -Dtest=PodManifestGoldenTest -Dkindling.golden.update=true}
 * and review the diff.
 */
class PodManifestGoldenTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
    private static final boolean UPDATE = Boolean.getBoolean("kindling.golden.update");

    @Test
    void manifestsMatchTheGoldenFiles() throws Exception {
        DriverPodObjects objects = new DriverPodManifests(DriverPodFixtures.pool())
                .render(DriverPodFixtures.run(), DriverPodFixtures.SECRETS);
        Pod created = new PodBuilder(objects.pod()).editMetadata().withUid("00000000-0000-0000-0000-0000000000d1")
                .endMetadata().build();
        objects.ownedBy(created);
        Map<String, HasMetadata> files = new LinkedHashMap<>();
        files.put("driver-pod.yaml", objects.pod());
        files.put("driver-configmap.yaml", objects.configMap());
        files.put("driver-service.yaml", objects.driverService());
        files.put("ui-service.yaml", objects.uiService());
        files.put("ui-ingress.yaml", objects.ingress());
        for (Map.Entry<String, HasMetadata> file : files.entrySet()) {
            check(file.getKey(), Serialization.asYaml(file.getValue()));
        }
        assertThat(objects.sparkUiUrl()).isEqualTo("https://spark.example.com/spark/nightly-etl-a2/");
        // the log-shipper takes every pod labelled with an attempt id for a driver: executors are not
        assertThat(objects.configMap().getData().get(SparkDefaults.EXECUTOR_TEMPLATE_FILE))
                .doesNotContain(DriverPodManifests.ATTEMPT_ID).contains(DriverPodManifests.JOB_ID);
    }

    @Test
    void aMinimalPoolRendersWithoutIngress() throws Exception {
        DriverPodObjects objects = new DriverPodManifests(DriverPodPoolConfig.of("jobs", "apache/spark:4.0.1"))
                .render(DriverPodFixtures.run(), Map.of());
        assertThat(objects.ingress()).isNull();
        check("minimal-driver-pod.yaml", Serialization.asYaml(objects.pod()));
        assertThat(objects.sparkUiUrl()).isEqualTo("http://kd-nightly-etl-a2-ui.jobs.svc:4040/");
    }

    @Test
    void artifactsAreFetchedByAnInitContainerFromTheSecretAndTheDriverGetsLocalPaths() throws Exception {
        String sha = "c".repeat(64);
        String lib = "d".repeat(64);
        RunAssignment base = DriverPodFixtures.python("staged", 1, List.of("--day", "1"));
        String tenant = base.tenant();
        RunAssignment run = DriverPodFixtures.run("staged", 1, new Application(ApplicationType.PYTHON,
                "artifact://" + tenant + "/" + sha + "/etl.py", null, List.of("--day", "1")), Map.of(), Map.of());
        run = new RunAssignment(run.jobId(), run.attempt(), run.attemptId(), run.pool(), run.tenant(),
                io.kindling.worker.Runs.withLists(run.spec(), List.of("artifact://" + tenant + "/" + lib + "/lib.zip"),
                        List.of(), List.of(), List.of("artifact://" + tenant + "/" + lib + "/env.tgz#env"), List.of()),
                run.assignedAt());

        Pod pod = new DriverPodManifests(DriverPodFixtures.pool()).render(run, DriverPodFixtures.SECRETS).pod();

        String yaml = Serialization.asYaml(pod);
        check("artifacts-driver-pod.yaml", yaml);
        Container init = pod.getSpec().getInitContainers().get(0);
        assertThat(init.getName()).isEqualTo(DriverPodManifests.FETCH_CONTAINER);
        assertThat(init.getImage()).isEqualTo("kindling/worker:test");
        assertThat(init.getArgs()).containsSubsequence(DriverPodArtifacts.FETCH_MAIN, "/kindling/artifacts",
                "artifact://" + tenant + "/" + sha + "/etl.py", "artifact://" + tenant + "/" + lib + "/lib.zip");
        assertThat(init.getEnvFrom()).singleElement()
                .satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("kindling-blob-store"));
        // the blob store settings are read by the kubelet from the Secret: nothing of them is in the manifest
        assertThat(init.getEnv()).isNullOrEmpty();
        assertThat(yaml).doesNotContain("KINDLING_BLOB_").doesNotContain("AccountKey").doesNotContain("connection");
        Container driver = pod.getSpec().getContainers().get(0);
        assertThat(driver.getArgs()).contains("/kindling/artifacts/" + sha + "/etl.py",
                "/kindling/artifacts/" + lib + "/lib.zip", "/kindling/artifacts/" + lib + "/env.tgz#env")
                .noneMatch(a -> a.contains("artifact:"));
        assertThat(driver.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/kindling/artifacts")
                && Boolean.TRUE.equals(m.getReadOnly()));
        assertThat(pod.getSpec().getVolumes()).anyMatch(v -> v.getName().equals("kindling-artifacts")
                && v.getEmptyDir() != null);
    }

    @Test
    void artifactsOfAnotherTenantOrWithoutAPoolSecretAreRefused() {
        String uri = "artifact://someone-else/" + "c".repeat(64) + "/etl.py";
        RunAssignment foreign = DriverPodFixtures.run("staged", 1, new Application(ApplicationType.PYTHON, uri, null,
                List.of()), Map.of(), Map.of());
        assertThatThrownBy(() -> new DriverPodManifests(DriverPodFixtures.pool()).render(foreign, Map.of()))
                .isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class).hasMessageContaining("someone-else");
        RunAssignment own = DriverPodFixtures.run("staged", 1, new Application(ApplicationType.PYTHON,
                "artifact://" + foreign.tenant() + "/" + "c".repeat(64) + "/etl.py", null, List.of()), Map.of(), Map.of());
        assertThatThrownBy(() -> new DriverPodManifests(DriverPodPoolConfig.of("jobs", "img")).render(own, Map.of()))
                .isInstanceOf(io.kindling.common.pools.LaunchRefusedException.class).hasMessageContaining("blobStoreSecret");
    }

    private static void check(String name, String actual) throws IOException {
        Path file = GOLDEN.resolve(name);
        if (UPDATE) {
            Files.createDirectories(GOLDEN);
            Files.writeString(file, actual, StandardCharsets.UTF_8);
            return;
        }
        assertThat(file).as("golden file %s (regenerate with -Dkindling.golden.update=true)", file).exists();
        assertThat(actual).as("%s differs from the golden file; if the change is intended, regenerate with"
                + " -Dkindling.golden.update=true and review the diff", name)
                .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
    }
}
