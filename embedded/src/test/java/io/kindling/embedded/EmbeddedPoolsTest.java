package io.kindling.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which pools {@code ./kindling up} serves, and what it says of those it does not. */
class EmbeddedPoolsTest {
    @TempDir
    Path dir;

    @Test
    void everyDeclaredPoolThatRunsHereIsServedAndAKubernetesPoolIsNamed() throws Exception {
        EmbeddedPools pools = EmbeddedPools.resolve(Map.of("KINDLING_CONFIG", poolsFile().toString()));

        assertThat(pools.served()).containsExactly("default", "second");
        assertThat(pools.lines()).containsExactly("worker serves pools default, second",
                "pool aks (kubernetes) is not served by ./kindling up; run a worker for it"
                        + " (KINDLING_WORKER_POOL=aks, docs/operations.md#kubernetes-driver-pod-pools)");
    }

    @Test
    void kindlingWorkerPoolNarrowsItAndTheOthersAreNamed() throws Exception {
        EmbeddedPools pools = EmbeddedPools.resolve(Map.of("KINDLING_CONFIG", poolsFile().toString(),
                "KINDLING_WORKER_POOL", "second"));

        assertThat(pools.served()).containsExactly("second");
        assertThat(pools.notServed()).containsExactly(
                "pool default is not served (KINDLING_WORKER_POOL=second); its jobs wait until a worker for it runs",
                "pool aks is not served (KINDLING_WORKER_POOL=second); its jobs wait until a worker for it runs");
    }

    @Test
    void withoutAPoolsFileThePoolsKindlingPoolsNamesAreServed() {
        assertThat(EmbeddedPools.resolve(Map.of()).served()).containsExactly("default");
        assertThat(EmbeddedPools.resolve(Map.of("KINDLING_POOLS", "default,batch")).served())
                .containsExactly("batch", "default");
    }

    @Test
    void onlyKubernetesPoolsRunNoWorker() throws Exception {
        Path file = Files.writeString(dir.resolve("k8s.yaml"), "pools:\n  aks: {backend: kubernetes, image: spark:4}\n");
        EmbeddedPools pools = EmbeddedPools.resolve(Map.of("KINDLING_CONFIG", file.toString()));

        assertThat(pools.served()).isEmpty();
        assertThat(pools.lines()).first().isEqualTo("no worker runs: no declared pool can run here");
    }

    private Path poolsFile() throws Exception {
        return Files.writeString(dir.resolve("pools.yaml"), """
                pools:
                  default: {master: "local[1]"}
                  second: {master: "local[1]", maxRunning: 1}
                  aks: {backend: kubernetes, image: "spark:4"}
                """);
    }
}
