package io.kindling.api.http;

import io.kindling.api.view.JobCursor;
import io.kindling.api.view.JobFilter;
import io.kindling.schemas.JobState;
import io.vertx.core.MultiMap;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The query of {@code GET /v1/jobs}, parsed: {@code state} (repeatable, or a comma-separated list),
 * {@code tenant} (one of the caller's), {@code pool}, {@code label} (repeatable {@code key=value}; all must match),
 * {@code submittedAfter}
 * and {@code submittedBefore} (RFC 3339, exclusive), {@code limit} (1 to {@value #MAX_LIMIT},
 * default {@value #DEFAULT_LIMIT}) and {@code cursor} (a {@code nextCursor} this api returned).
 * A bad value is an {@link ErrorCode#INVALID_PARAMETER} naming the parameter.
 */
public record ListJobsQuery(JobFilter filter, JobCursor cursor, int limit, String tenant) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public static ListJobsQuery parse(MultiMap params) {
        JobFilter filter = new JobFilter(states(params.getAll("state")), single(params, "pool"),
                labels(params.getAll("label")), time(params, "submittedAfter"), time(params, "submittedBefore"));
        String cursor = single(params, "cursor");
        return new ListJobsQuery(filter, cursor == null ? null : cursor(cursor), limit(single(params, "limit")),
                single(params, "tenant"));
    }

    static Set<JobState> states(List<String> values) {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        for (String value : values) {
            for (String name : value.split(",", -1)) {
                String trimmed = name.trim();
                try {
                    states.add(JobState.valueOf(trimmed.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalidParameter("state", "'" + trimmed + "' is not a job state (one of "
                            + List.of(JobState.values()) + ")");
                }
            }
        }
        return states;
    }

    static Map<String, String> labels(List<String> values) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.indexOf('=');
            if (eq <= 0) {
                throw ApiException.invalidParameter("label", "must be key=value, was '" + value + "'");
            }
            String key = value.substring(0, eq);
            String previous = labels.put(key, value.substring(eq + 1));
            if (previous != null && !previous.equals(value.substring(eq + 1))) {
                throw ApiException.invalidParameter("label", "label '" + key + "' is given twice with different values");
            }
        }
        return labels;
    }

    static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        int limit;
        try {
            limit = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalidParameter("limit", "must be an integer, was '" + raw + "'");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalidParameter("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        return limit;
    }

    static JobCursor cursor(String raw) {
        try {
            return JobCursor.decode(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter("cursor", e.getMessage());
        }
    }

    private static Instant time(MultiMap params, String name) {
        String raw = single(params, name);
        if (raw == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(raw.trim()).toInstant();
        } catch (DateTimeException e) {
            throw ApiException.invalidParameter(name, "must be an RFC 3339 date-time such as 2026-11-21T06:00:00Z, was '"
                    + raw + "'");
        }
    }

    /** The value of a parameter that may be given at most once; null if absent or empty. */
    private static String single(MultiMap params, String name) {
        List<String> values = params.getAll(name);
        if (values.size() > 1) {
            throw ApiException.invalidParameter(name, "must be given once");
        }
        return values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }
}
