package io.kindling.worker.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.kindling.common.tracing.TraceContext;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import io.opentelemetry.context.Scope;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A driver pod gets the launch's trace context: TRACEPARENT in the pod's env, the conf in its spark-defaults. */
class DriverPodTraceTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void theDriverPodCarriesTheTrace() throws Exception {
        RunAssignment run = DriverPodFixtures.run("traced", 1,
                new Application(ApplicationType.PYTHON, "local:///a.py", null, List.of()), Map.of(),
                Map.of("TRACEPARENT", "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01"));
        DriverPodObjects objects;
        try (Scope scope = TraceContext.extract(Map.of("traceparent", TRACEPARENT)).makeCurrent()) {
            objects = new DriverPodManifests(DriverPodFixtures.pool()).render(run, Map.of());
        }
        assertThat(objects.pod().getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName)
                .as("one TRACEPARENT: the worker's").containsOnlyOnce("TRACEPARENT");
        Map<String, String> env = objects.pod().getSpec().getContainers().get(0).getEnv().stream()
                .filter(v -> v.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        assertThat(env).containsEntry("TRACEPARENT", TRACEPARENT);
        Properties defaults = new Properties();
        defaults.load(new StringReader(objects.configMap().getData().get(SparkDefaults.DEFAULTS_FILE)));
        assertThat(defaults.getProperty("spark.kindling.traceparent")).isEqualTo(TRACEPARENT);
        assertThat(defaults.getProperty("spark.executorEnv.TRACEPARENT")).isEqualTo(TRACEPARENT);

        DriverPodObjects untraced = new DriverPodManifests(DriverPodFixtures.pool()).render(run, Map.of());
        assertThat(untraced.pod().getSpec().getContainers().get(0).getEnv()).filteredOn(v -> v.getName().equals("TRACEPARENT"))
                .as("without a trace the job's own entry stays").singleElement()
                .satisfies(v -> assertThat(v.getValue()).startsWith("00-111"));
    }
}
