package io.kindling.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests `./kindling test` renders from deploy/helm/kindling with `helm template` (default
 * values, and each ci/NAME-values.yaml as NAME.yaml) into the directory the system property
 * {@value #RENDERED} names. Without the property (a plain Maven run, no helm) the rendering tests
 * are reported skipped; with it, a missing rendering fails.
 */
class RenderedChartTest {
    static final String RENDERED = "kindling.helm.rendered";
    static final Path CHART = Path.of("../helm/kindling");

    static Stream<String> renderings() throws IOException {
        try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
            return Stream.concat(Stream.of("default"), files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith("-values.yaml")).map(f -> f.substring(0, f.length() - "-values.yaml".length()))
                    .sorted().toList().stream());
        }
    }

    @ParameterizedTest
    @MethodSource("renderings")
    void everyRenderedObjectIsValidKubernetesAndReferencesWhatExists(String name) throws IOException {
        Rendering rendering = load(name);
        assertThat(ChartChecks.of(rendering)).as("problems in %s", name).isEmpty();
        assertThat(rendering.deployments()).extracting(d -> d.getMetadata().getLabels().get("app.kubernetes.io/component"))
                .containsExactlyInAnyOrder("api", "dispatcher", "worker", "log-shipper");
        assertThat(replicas(rendering, "dispatcher")).as("dispatcher: active + standby").isGreaterThanOrEqualTo(2);
        assertThat(rendering.all(NetworkPolicy.class)).as("default deny + one per component").hasSizeGreaterThanOrEqualTo(5);
    }

    @Test
    void everyOptionOnRendersTheOptionalObjectsAndSettings() throws IOException {
        Rendering rendering = load("all-on");
        assertThat(rendering.all(Ingress.class)).hasSize(1);
        assertThat(rendering.serviceMonitors()).hasSize(1);
        assertThat(rendering.deployments()).filteredOn(d -> !component(d).equals("dispatcher"))
                .allSatisfy(d -> assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                        .containsEntry("azure.workload.identity/use", "true"));
        assertThat(rendering.all(ServiceAccount.class)).filteredOn(sa -> sa.getMetadata().getAnnotations() != null)
                .extracting(sa -> sa.getMetadata().getAnnotations().get("azure.workload.identity/client-id"))
                .contains("77777777-7777-7777-7777-777777777777", "44444444-4444-4444-4444-444444444444");
        Map<String, String> api = env(rendering, "api");
        assertThat(api).containsKeys("KINDLING_OIDC_ISSUER", "KINDLING_OIDC_JWKS_URL", "KINDLING_AUTH_TOKENS_FILE",
                "KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE", "KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION",
                "KINDLING_KAFKA_SSL_KEYSTORE_PASSWORD_FILE", "KINDLING_KAFKA_PROPERTIES_FILE", "KINDLING_AZURE_ACCOUNT_URL");
        assertThat(api).doesNotContainKey("KINDLING_AZURE_CONNECTION_STRING");
        assertThat(env(rendering, "worker")).containsEntry("KINDLING_WORKER_POOL", "default,batch");
    }

    @Test
    void theStrictReaderRefusesWhatTheApiServerWouldRefuse() {
        StrictKubernetesYaml yaml = new StrictKubernetesYaml();
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  %s
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec: {containers: [{name: c, image: i}]}
                """;
        assertThatThrownBy(() -> yaml.read(new StringReader(deployment.formatted("replica: 2")), "typo"))
                .hasMessageContaining("replica");
        assertThatThrownBy(() -> yaml.read(new StringReader(deployment.formatted("replicas: two")), "type"))
                .hasMessageContaining("not a valid apps/v1/Deployment");
        assertThatThrownBy(() -> yaml.read(new StringReader("apiVersion: v1\nkind: Pods\nmetadata: {name: x}\n"), "kind"))
                .hasMessageContaining("no schema for v1/Pods");
        assertThatThrownBy(() -> yaml.read(new StringReader("""
                apiVersion: monitoring.coreos.com/v1
                kind: ServiceMonitor
                metadata: {name: x}
                spec: {selector: {matchLabels: {a: b}}, endpoints: [{port: m, intervall: 30s}]}
                """), "monitor")).hasMessageContaining("intervall");
    }

    private static Rendering load(String name) throws IOException {
        String dir = System.getProperty(RENDERED, "");
        Assumptions.assumeFalse(dir.isBlank() || dir.startsWith("${"),
                "-D" + RENDERED + " is not set: the chart was not rendered (./kindling test renders it with helm)");
        Path file = Path.of(dir).resolve(name + ".yaml");
        assertThat(file).as("the rendering of %s (run_helm_checks in ./kindling writes it; -D%s=%s)", name, RENDERED, dir)
                .isRegularFile();
        Path values = name.equals("default") ? null : CHART.resolve("ci").resolve(name + "-values.yaml");
        ChartValues chartValues = ChartValues.of(CHART, values);
        try (var reader = Files.newBufferedReader(file)) {
            return new Rendering(name, new StrictKubernetesYaml().read(reader, file.getFileName().toString()),
                    chartValues.existingSecrets(), chartValues.existingClaims());
        }
    }

    private static String component(Deployment d) {
        return d.getMetadata().getLabels().get("app.kubernetes.io/component");
    }

    private static int replicas(Rendering rendering, String component) {
        return rendering.deployments().stream().filter(d -> component(d).equals(component)).findFirst()
                .orElseThrow().getSpec().getReplicas();
    }

    private static Map<String, String> env(Rendering rendering, String component) {
        List<EnvVar> env = rendering.deployments().stream().filter(d -> component(d).equals(component)).findFirst()
                .orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        return env.stream().collect(Collectors.toMap(EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue()));
    }
}
