package io.kindling.api.http;

import io.kindling.api.view.JobFilter;
import io.kindling.api.view.JobViewStore;
import io.kindling.common.pools.PoolScheduling;
import io.kindling.common.pools.PoolsFile;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code GET /v1/queues} (operation {@code getQueues}): per pool, the QUEUED jobs in dispatch order
 * (the first {@value #MAX_QUEUED_SHOWN}), the attempts running against the pool's {@code maxRunning},
 * and each tenant's running and queued jobs against {@code maxRunningPerTenant}. Built from the job
 * views the api holds; only the jobs of tenants the caller may see ({@code visibleTenants}, null = all)
 * are listed and counted per tenant, while a pool's {@code running} counts every tenant (it is what
 * {@code maxRunning} applies to).
 */
public final class GetQueuesHandler implements Handler<RoutingContext> {
    static final int MAX_QUEUED_SHOWN = 100;
    /** What {@code maxRunning} counts: attempts dispatched or running. */
    private static final Set<JobState> ACTIVE = Set.of(JobState.DISPATCHED, JobState.SUBMITTING, JobState.RUNNING);
    private static final JobFilter LIVE = new JobFilter(
            Set.of(JobState.QUEUED, JobState.DISPATCHED, JobState.SUBMITTING, JobState.RUNNING), null, Map.of(), null, null);

    private final JobViewStore views;
    private final PoolsFile pools;
    private final Function<RoutingContext, Set<String>> visibleTenants;

    /**
     * @param pools          the pools and their limits (as the dispatcher has them)
     * @param visibleTenants the tenants the caller may see, or null for every tenant
     */
    public GetQueuesHandler(JobViewStore views, PoolsFile pools, Function<RoutingContext, Set<String>> visibleTenants) {
        this.views = views;
        this.pools = pools;
        this.visibleTenants = visibleTenants;
    }

    /** The pools as the dispatcher reads them: {@code KINDLING_CONFIG}, else the names in {@code KINDLING_POOLS}. */
    public static PoolsFile poolsFromEnv(Map<String, String> env) {
        String file = env.get("KINDLING_CONFIG");
        if (file != null && !file.isBlank()) {
            return PoolsFile.load(Path.of(file));
        }
        String names = env.getOrDefault("KINDLING_POOLS", JobSpec.DEFAULT_POOL);
        return PoolsFile.defaults(Arrays.stream(names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    @Override
    public void handle(RoutingContext ctx) {
        Set<String> visible = visibleTenants.apply(ctx);
        Map<String, Pool> byPool = new TreeMap<>();
        pools.pools().forEach((name, config) -> byPool.put(name, new Pool(config.scheduling())));
        for (JobView job : views.list(LIVE, null, Integer.MAX_VALUE).items()) {
            String poolName = job.pool() != null ? job.pool() : JobSpec.DEFAULT_POOL;
            Pool pool = byPool.computeIfAbsent(poolName, n -> new Pool(PoolScheduling.defaults()));
            String tenant = job.tenant() != null ? job.tenant() : JobSpec.DEFAULT_TENANT;
            boolean shown = visible == null || visible.contains(tenant);
            if (ACTIVE.contains(job.state())) {
                pool.running++;
                if (shown) {
                    pool.tenant(tenant)[0]++;
                }
            } else if (job.state() == JobState.QUEUED && shown) {
                pool.queued.add(job);
                pool.tenant(tenant)[1]++;
            }
        }
        JsonArray out = new JsonArray();
        byPool.forEach((name, pool) -> out.add(pool.toJson(name, views)));
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(new JsonObject().put("pools", out).encode());
    }

    /** One pool's counts while they are gathered. */
    private static final class Pool {
        final PoolScheduling limits;
        final List<JobView> queued = new ArrayList<>();
        /** tenant -> {running, queued} */
        final Map<String, int[]> tenants = new TreeMap<>();
        int running;

        Pool(PoolScheduling limits) {
            this.limits = limits;
        }

        int[] tenant(String name) {
            return tenants.computeIfAbsent(name, n -> new int[2]);
        }

        JsonObject toJson(String name, JobViewStore views) {
            queued.sort(Comparator.comparing((JobView v) -> v.queuePosition() == null ? Integer.MAX_VALUE : v.queuePosition())
                    .thenComparing(JobView::submittedAt, Comparator.nullsLast(Comparator.naturalOrder())));
            JsonArray jobs = new JsonArray();
            for (JobView job : queued.subList(0, Math.min(MAX_QUEUED_SHOWN, queued.size()))) {
                Integer priority = views.spec(job.id()).map(JobSpec::priority).orElse(null);
                jobs.add(new JsonObject()
                        .put("id", job.id())
                        .put("name", job.name())
                        .put("tenant", job.tenant() != null ? job.tenant() : JobSpec.DEFAULT_TENANT)
                        .put("position", job.queuePosition())
                        .put("priority", priority == null ? 0 : priority)
                        .put("submittedAt", job.submittedAt() == null ? null : job.submittedAt().toString()));
            }
            JsonArray usage = new JsonArray();
            tenants.forEach((tenant, counts) -> usage.add(new JsonObject()
                    .put("tenant", tenant)
                    .put("running", counts[0])
                    .put("queued", counts[1])
                    .put("limit", limits.maxRunningPerTenant())));
            return new JsonObject()
                    .put("pool", name)
                    .put("running", running)
                    .put("maxRunning", limits.maxRunning())
                    .put("maxRunningPerTenant", limits.maxRunningPerTenant())
                    .put("queuedTotal", queued.size())
                    .put("queued", jobs)
                    .put("tenants", usage);
        }
    }
}
