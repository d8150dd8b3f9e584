package io.kindling.api.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP meters per OpenAPI operation: every request is timed from the first root handler to the
 * end of its response (or its connection's close), labelled with the operation it reached
 * ({@code none} when it ended before, e.g. a 401 or an unknown path), its method, status and
 * outcome; requests in progress per operation are a gauge (the event streams and log followers).
 */
public final class HttpMetrics {
    static final String OPERATION_KEY = "kindling.operation";
    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    /** The timers registered so far, by their tags: building and registering one per request cost more than timing it. */
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    private record TimerKey(String operation, String method, int status) {
    }

    public HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The first root handler: starts the clock. */
    public Handler<RoutingContext> root() {
        return ctx -> {
            long started = System.nanoTime();
            ctx.addEndHandler(done -> record(ctx, System.nanoTime() - started));
            ctx.next();
        };
    }

    /** The first handler of an operation: names it, and counts it in progress until it ends. */
    public Handler<RoutingContext> operation(String operationId) {
        AtomicInteger inProgress = active.computeIfAbsent(operationId, id -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("kindling.http.server.active.requests", n, AtomicInteger::get).tag("operation", id)
                    .description("Requests in progress (open event streams and log followers included)")
                    .register(registry);
            return n;
        });
        return ctx -> {
            ctx.put(OPERATION_KEY, operationId);
            inProgress.incrementAndGet();
            ctx.addEndHandler(done -> inProgress.decrementAndGet());
            ctx.next();
        };
    }

    private void record(RoutingContext ctx, long nanos) {
        String operation = ctx.get(OPERATION_KEY);
        TimerKey key = new TimerKey(operation == null ? NONE : operation, ctx.request().method().name(),
                ctx.response().getStatusCode());
        timers.computeIfAbsent(key, this::timer).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer timer(TimerKey key) {
        return Timer.builder("kindling.http.server.requests")
                .description("HTTP requests by OpenAPI operation, method, status and outcome")
                .tags("operation", key.operation(), "method", key.method(), "status", Integer.toString(key.status()),
                        "outcome", outcome(key.status()))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    }

    static String outcome(int status) {
        if (status >= 500) {
            return "SERVER_ERROR";
        }
        if (status >= 400) {
            return "CLIENT_ERROR";
        }
        if (status >= 300) {
            return "REDIRECTION";
        }
        return status >= 200 ? "SUCCESS" : "INFORMATIONAL";
    }
}
