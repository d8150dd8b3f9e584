package io.kindling.api.limits;

import io.kindling.api.http.GetJobLogsHandler;
import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import java.util.List;

/**
 * The api's abuse limits (OWASP API4). Each answers with a clear error: 429 {@code RATE_LIMITED}
 * with {@code Retry-After} for rates and connection caps, 400 for a {@code tail} above the maximum.
 *
 * @param submitsPerSecond      submissions per principal per second ({@code KINDLING_SUBMIT_RATE_PER_SECOND})
 * @param streamsPerPrincipal   concurrent follow and event-stream connections per principal
 * @param streamsTotal          concurrent follow and event-stream connections in total
 * @param maxTailLines          the largest {@code tail} of a log request
 * @param concurrentUploads     artifact uploads in progress at once
 */
public record ApiLimits(int submitsPerSecond, int streamsPerPrincipal, int streamsTotal, int maxTailLines,
        int concurrentUploads) {
    public static final ConfigParameter<Integer> SUBMIT_RATE = ConfigParameter.integer("KINDLING_SUBMIT_RATE_PER_SECOND",
            20, 1, 100_000, "job submissions a principal may make per second (then 429 with Retry-After)");
    public static final ConfigParameter<Integer> STREAMS_PER_PRINCIPAL = ConfigParameter.integer(
            "KINDLING_MAX_STREAMS_PER_PRINCIPAL", 16, 1, 100_000,
            "concurrent log-follow and event-stream connections per principal");
    public static final ConfigParameter<Integer> STREAMS_TOTAL = ConfigParameter.integer("KINDLING_MAX_STREAMS", 512, 1,
            1_000_000, "concurrent log-follow and event-stream connections in total");
    public static final ConfigParameter<Integer> MAX_TAIL = ConfigParameter.integer("KINDLING_MAX_TAIL_LINES",
            GetJobLogsHandler.MAX_TAIL_LINES, 1, GetJobLogsHandler.MAX_TAIL_LINES,
            "largest tail=N of a log request (openapi.yaml's maximum, or lower)");
    public static final ConfigParameter<Integer> CONCURRENT_UPLOADS = ConfigParameter.integer(
            "KINDLING_MAX_CONCURRENT_UPLOADS", 8, 1, 10_000, "artifact uploads in progress at once");

    public static final List<ConfigParameter<?>> PARAMETERS =
            List.of(SUBMIT_RATE, STREAMS_PER_PRINCIPAL, STREAMS_TOTAL, MAX_TAIL, CONCURRENT_UPLOADS);

    public static final ApiLimits DEFAULTS = from(new EnvConfig(java.util.Map.of()));

    public static ApiLimits from(EnvConfig config) {
        return new ApiLimits(config.get(SUBMIT_RATE), config.get(STREAMS_PER_PRINCIPAL), config.get(STREAMS_TOTAL),
                config.get(MAX_TAIL), config.get(CONCURRENT_UPLOADS));
    }
}
