package io.kindling.embedded;

import io.kindling.common.config.EnvConfig;
import io.kindling.common.pools.PoolBackend;
import io.kindling.common.pools.PoolConfig;
import io.kindling.common.pools.PoolsFile;
import io.kindling.dispatcher.DispatcherConfig;
import io.kindling.worker.WorkerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The pools the embedded worker serves: those {@code KINDLING_WORKER_POOL} names when it is set,
 * else every pool the dispatcher accepts jobs for (the pools file, else {@code KINDLING_POOLS})
 * whose backend runs on this host. A declared pool left out is named with why, so that no job
 * waits on it without a word: a {@code kubernetes} pool needs a worker of its own next to the
 * cluster.
 *
 * @param served    the pools the worker serves, in declaration order (empty: no worker runs)
 * @param notServed one line per declared pool nobody here serves
 */
record EmbeddedPools(List<String> served, List<String> notServed) {

    EmbeddedPools {
        served = List.copyOf(served);
        notServed = List.copyOf(notServed);
    }

    static EmbeddedPools resolve(Map<String, String> env) {
        PoolsFile declared = DispatcherConfig.from(new EnvConfig(env)).pools();
        List<String> served = new ArrayList<>();
        List<String> notServed = new ArrayList<>();
        String named = env.get(WorkerConfig.POOL.name());
        if (named != null && !named.isBlank()) {
            served.addAll(new LinkedHashSet<>(Arrays.stream(named.split(",")).map(String::trim)
                    .filter(n -> !n.isEmpty()).toList()));
            for (String pool : declared.pools().keySet()) {
                if (!served.contains(pool)) {
                    notServed.add("pool " + pool + " is not served (" + WorkerConfig.POOL.name() + "=" + named
                            + "); its jobs wait until a worker for it runs");
                }
            }
            return new EmbeddedPools(served, notServed);
        }
        for (PoolConfig pool : declared.pools().values()) {
            if (PoolBackend.KUBERNETES.equals(pool.backend().backend())) {
                notServed.add("pool " + pool.name() + " (kubernetes) is not served by ./kindling up; run a worker for it"
                        + " (" + WorkerConfig.POOL.name() + "=" + pool.name() + ", docs/operations.md#kubernetes-driver-pod-pools)");
            } else {
                served.add(pool.name());
            }
        }
        return new EmbeddedPools(served, notServed);
    }

    /** What the launcher tells at start: the pools served, then each one that is not. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(served.isEmpty() ? "no worker runs: no declared pool can run here"
                : "worker serves pool" + (served.size() > 1 ? "s " : " ") + String.join(", ", served));
        lines.addAll(notServed);
        return lines;
    }
}
