package io.kindling.api.http;

import io.kindling.api.view.JobCursor;
import io.kindling.api.view.JobFilter;
import io.kindling.schemas.JobState;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query of {@code GET /v1/jobs}, as {@link RequestContract} checked it against the document
 * (patterns, limits, the default page size, {@code format: date-time}): {@code state} (repeatable,
 * or a comma-separated list), {@code tenant} (one of the caller's), {@code pool}, {@code label}
 * (repeatable {@code key=value}; all must match), {@code submittedAfter} and {@code submittedBefore}
 * (RFC 3339, exclusive), {@code limit} and {@code cursor} (a {@code nextCursor} this api returned).
 * What the document cannot state is checked here: a label given twice with different values, a
 * cursor this api did not make ({@link ErrorCode#INVALID_PARAMETER} naming the parameter).
 */
public record ListJobsQuery(JobFilter filter, JobCursor cursor, int limit, String tenant) {

    public static ListJobsQuery from(ValidRequest query) {
        JobFilter filter = new JobFilter(states(query.strings("state")), emptyAsAbsent(query.string("pool")),
                labels(query.strings("label")), time(query, "submittedAfter"), time(query, "submittedBefore"));
        String cursor = emptyAsAbsent(query.string("cursor"));
        return new ListJobsQuery(filter, cursor == null ? null : cursor(cursor), query.integer("limit").intValue(),
                query.string("tenant"));
    }

    /** The states named (each value a state or a comma-separated list of them, as the document's pattern allows). */
    static Set<JobState> states(List<String> values) {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        for (String value : values) {
            for (String name : value.split(",", -1)) {
                states.add(JobState.valueOf(name));
            }
        }
        return states;
    }

    /** The labels named ({@code key=value}, as the document's pattern requires); one key with two values is refused. */
    static Map<String, String> labels(List<String> values) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.indexOf('=');
            String key = value.substring(0, eq);
            String previous = labels.put(key, value.substring(eq + 1));
            if (previous != null && !previous.equals(value.substring(eq + 1))) {
                throw ApiException.invalidParameter("label", "label '" + key + "' is given twice with different values");
            }
        }
        return labels;
    }

    static JobCursor cursor(String raw) {
        try {
            return JobCursor.decode(raw);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter("cursor", e.getMessage());
        }
    }

    private static Instant time(ValidRequest query, String name) {
        String raw = query.string(name);
        if (raw == null) {
            return null;
        }
        try {
            return rfc3339(raw);
        } catch (DateTimeException e) {
            throw ApiException.invalidParameter(name, "must be an RFC 3339 date-time such as 2026-11-21T06:00:00Z, was '"
                    + raw + "'");
        }
    }

    private static final Pattern RFC_3339 = Pattern.compile(
            "^(\\d{4}-\\d{2}-\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(\\.\\d+)?(?:[Zz]|([+-])(\\d{2}):(\\d{2}))$");

    /**
     * An RFC 3339 date-time (section 5.6), as the document's {@code format: date-time} means it: any
     * offset up to 23:59 (java.time stops at 18:00), a leap second (read as the second before).
     */
    static Instant rfc3339(String raw) {
        Matcher m = RFC_3339.matcher(raw);
        if (!m.matches()) {
            throw new DateTimeException("not an RFC 3339 date-time");
        }
        int hour = Integer.parseInt(m.group(2));
        int minute = Integer.parseInt(m.group(3));
        int second = Integer.parseInt(m.group(4));
        if (hour > 23 || minute > 59 || second > 60) {
            throw new DateTimeException("time out of range");
        }
        LocalDateTime local = LocalDate.parse(m.group(1)).atTime(hour, minute, Math.min(second, 59));
        if (m.group(5) != null) {
            String digits = (m.group(5).substring(1) + "000000000").substring(0, 9);
            local = local.withNano(Integer.parseInt(digits));
        }
        long offsetSeconds = 0;
        if (m.group(6) != null) {
            int offsetHours = Integer.parseInt(m.group(7));
            int offsetMinutes = Integer.parseInt(m.group(8));
            if (offsetHours > 23 || offsetMinutes > 59) {
                throw new DateTimeException("offset out of range");
            }
            offsetSeconds = (offsetHours * 3600L + offsetMinutes * 60L) * ("-".equals(m.group(6)) ? -1 : 1);
        }
        return local.toInstant(ZoneOffset.UTC).minusSeconds(offsetSeconds);
    }

    /** An empty pool or cursor means none (any string is a valid value of either). */
    private static String emptyAsAbsent(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
