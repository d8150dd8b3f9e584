package io.kindling.worker;

import io.kindling.common.config.ConfigException;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.pools.PoolBackend;
import io.kindling.common.pools.PoolConfig;
import io.kindling.common.pools.PoolsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The pools one worker process serves: {@code KINDLING_WORKER_POOL} names them (a comma list), the
 * pools file ({@code KINDLING_CONFIG}, when set) gives each its backend settings. Each pool gets
 * its own {@link WorkerConfig} and so its own {@link Worker} (run loop, consumer group, launcher).
 *
 * <p>With more than one pool and an explicit {@code KINDLING_WORKER_ID}, each pool's worker id is
 * {@code <id>-<pool>}, so that the attempts of each pool are adopted by the same pool after a restart.
 */
public final class WorkerPools {
    public static final ConfigParameter<String> CONFIG = ConfigParameter.string(
            "KINDLING_CONFIG", null, "path to the pools file (YAML); the worker serves the pools KINDLING_WORKER_POOL names from it");

    private WorkerPools() {
    }

    /** A pool served: the worker's configuration for it and the pool as the pools file declares it. */
    public record Served(WorkerConfig config, PoolConfig pool) {
        public boolean kubernetes() {
            return PoolBackend.KUBERNETES.equals(pool.backend().backend());
        }
    }

    /** One configuration per pool served, in the order {@code KINDLING_WORKER_POOL} names them. */
    public static List<WorkerConfig> from(EnvConfig env) {
        return served(env).stream().map(Served::config).toList();
    }

    /** The pools served, in the order {@code KINDLING_WORKER_POOL} names them. */
    public static List<Served> served(EnvConfig env) {
        List<String> names = new ArrayList<>(new LinkedHashSet<>(Arrays.stream(env.get(WorkerConfig.POOL).split(","))
                .map(String::trim).filter(n -> !n.isEmpty()).toList()));
        if (names.isEmpty()) {
            throw new ConfigException("invalid value for " + WorkerConfig.POOL.name() + ": names no pool");
        }
        String file = env.get(CONFIG);
        PoolsFile pools = file == null ? PoolsFile.defaults(names) : PoolsFile.load(Path.of(file));
        List<Served> configs = new ArrayList<>();
        for (String name : names) {
            PoolConfig pool = Optional.ofNullable(pools.pools().get(name)).orElseThrow(() -> new ConfigException(
                    WorkerConfig.POOL.name() + " names pool '" + name + "', which the pools file " + file
                            + " does not declare (it declares " + String.join(", ", pools.names()) + ")"));
            PoolBackend backend = pool.backend();
            // a driver pod runs the Spark of its image: the worker needs no Spark of its own for it
            boolean ownSparkHome = backend.sparkHome() != null || PoolBackend.KUBERNETES.equals(backend.backend());
            configs.add(new Served(WorkerConfig.from(env, name, names.size() > 1, ownSparkHome).withPool(backend), pool));
        }
        return List.copyOf(configs);
    }
}
