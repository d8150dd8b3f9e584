package io.kindling.common.pools;

/**
 * One worker pool, as configured in the pools file ({@code KINDLING_CONFIG}) or, without one, by
 * its name in {@code KINDLING_POOLS} with every default.
 */
public record PoolConfig(String name, PoolBackend backend, PoolScheduling scheduling) {

    public PoolConfig {
        backend = backend == null ? PoolBackend.defaults() : backend;
        scheduling = scheduling == null ? PoolScheduling.defaults() : scheduling;
    }

    /** A pool with every default. */
    public static PoolConfig defaults(String name) {
        return new PoolConfig(name, PoolBackend.defaults(), PoolScheduling.defaults());
    }
}
