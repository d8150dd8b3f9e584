package io.kindling.worker.launcher;

import io.kindling.common.tracing.TraceContext;
import io.opentelemetry.context.Context;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The W3C trace context a driver is launched under (the worker's {@code launch} span, current
 * while {@link TracedLauncher} launches it), as the driver gets it: environment variables
 * {@code TRACEPARENT} and {@code TRACESTATE} (the names OpenTelemetry's environment-variable
 * propagation uses), and Spark conf: {@code spark.kindling.traceparent} / {@code spark.kindling.tracestate}
 * (readable by the driver in every deploy mode), {@code spark.executorEnv.*} for the executors and,
 * where the driver runs on the cluster, the cluster manager's driver environment
 * ({@code spark.yarn.appMasterEnv.*}, {@code spark.kubernetes.driverEnv.*}). The worker sets these
 * after the job's own entries, past the launch policy (which polices what jobs set). Empty when
 * there is no trace.
 */
public final class DriverTrace {
    private DriverTrace() {
    }

    /** {@code TRACEPARENT} (and {@code TRACESTATE}) of the current context. */
    public static Map<String, String> environment() {
        Map<String, String> env = new TreeMap<>();
        TraceContext.carrier(Context.current()).forEach((name, value) -> env.put(name.toUpperCase(Locale.ROOT), value));
        return env;
    }

    /**
     * The conf entries of the current context; {@code driverEnvPrefix} is the cluster manager's
     * prefix for the driver's environment when the driver runs on the cluster (null otherwise).
     */
    public static Map<String, String> conf(String driverEnvPrefix) {
        Map<String, String> conf = new TreeMap<>();
        TraceContext.carrier(Context.current()).forEach((name, value) -> conf.put("spark.kindling." + name, value));
        environment().forEach((name, value) -> {
            conf.put("spark.executorEnv." + name, value);
            if (driverEnvPrefix != null) {
                conf.put(driverEnvPrefix + name, value);
            }
        });
        return conf;
    }
}
