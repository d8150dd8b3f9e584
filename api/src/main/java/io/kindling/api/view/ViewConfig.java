package io.kindling.api.view;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How much of the job views the api keeps, and where.
 *
 * @param storeFile     the SQLite database holding every job and the events offsets applied
 *                      ({@code KINDLING_API_STORE_DIR}/{@code views.db}); null: a temporary file
 *                      deleted when the store closes (tests)
 * @param cachedJobs    finished jobs kept in memory besides the live ones ({@code KINDLING_API_CACHED_JOBS})
 * @param jobRetention  a job finished longer ago than this is forgotten ({@code KINDLING_JOB_RETENTION_DAYS})
 * @param eventsPerJob  the last events of a job kept for replay to watchers (SSE)
 */
public record ViewConfig(Path storeFile, int cachedJobs, Duration jobRetention, int eventsPerJob) {
    public static final int DEFAULT_CACHED_JOBS = 10_000;
    public static final int DEFAULT_EVENTS_PER_JOB = JobViewStore.MAX_EVENTS_PER_JOB;

    public ViewConfig {
        Objects.requireNonNull(jobRetention, "jobRetention");
        if (cachedJobs < 0 || eventsPerJob < 1 || jobRetention.isNegative() || jobRetention.isZero()) {
            throw new IllegalArgumentException("cachedJobs >= 0, eventsPerJob >= 1, jobRetention > 0 expected");
        }
    }

    /** Finished jobs are remembered 30 days by default. */
    public static final Duration DEFAULT_JOB_RETENTION = Duration.ofDays(30);
    /** A retention so long that nothing is forgotten (tests of the fold, with fixed past dates). */
    public static final Duration FOREVER = Duration.ofDays(1_000_000);

    /** A temporary store that forgets nothing, with the default cache (tests). */
    public static ViewConfig temporary() {
        return new ViewConfig(null, DEFAULT_CACHED_JOBS, FOREVER, DEFAULT_EVENTS_PER_JOB);
    }

    public ViewConfig withStoreFile(Path file) {
        return new ViewConfig(file, cachedJobs, jobRetention, eventsPerJob);
    }

    public ViewConfig withCachedJobs(int value) {
        return new ViewConfig(storeFile, value, jobRetention, eventsPerJob);
    }

    public ViewConfig withJobRetention(Duration value) {
        return new ViewConfig(storeFile, cachedJobs, value, eventsPerJob);
    }
}
