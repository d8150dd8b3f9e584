package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
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
