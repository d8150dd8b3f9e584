package io.kindling.api.view;

import io.kindling.schemas.JobState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL of one listing read in {@link JobDb} (each job's id and view): newest first over the index that fits, one
 * (tenant, state) at a time. Without a tenant, a label is the most selective index there is,
 * so the read walks that label's index ({@code labels_by_value}); otherwise the jobs' indexes
 * by tenant, state, pool and time.
 */
final class JobListing {
    /** A statement and its arguments, in order. */
    record Query(String sql, List<Object> args) {
    }

    private JobListing() {
    }

    static Query query(JobFilter filter, String tenant, JobState state, JobCursor after, Instant finishedSince, int limit) {
        // without a tenant, a label is the most selective index there is: walk that label's index, newest first
        Map.Entry<String, String> driving = tenant == null && !filter.labels().isEmpty()
                ? filter.labels().entrySet().iterator().next() : null;
        StringBuilder sql = new StringBuilder();
        List<Object> args = new ArrayList<>();
        String order;
        if (driving != null) {
            sql.append("SELECT jobs.id, jobs.view FROM labels d CROSS JOIN jobs ON jobs.id = d.job_id WHERE d.key = ? AND d.value = ?");
            args.add(driving.getKey());
            args.add(driving.getValue());
            order = "d.submitted_at DESC, d.job_id DESC";
            if (after != null) {
                sql.append(" AND (d.submitted_at, d.job_id) < (?, ?)");
                args.add(nanos(after.submittedAt()));
                args.add(after.id());
            }
        } else {
            sql.append("SELECT id, view FROM jobs WHERE 1 = 1");
            order = "submitted_at DESC, id DESC";
            if (after != null) {
                sql.append(" AND (submitted_at, id) < (?, ?)");
                args.add(nanos(after.submittedAt()));
                args.add(after.id());
            }
        }
        sql.append(" AND (jobs.finished_at IS NULL OR jobs.finished_at >= ?)");
        args.add(finishedSince.toEpochMilli());
        if (tenant != null) {
            sql.append(" AND jobs.tenant = ?");
            args.add(tenant);
        }
        if (state != null) {
            sql.append(" AND jobs.state = ?");
            args.add(state.name());
        }
        if (filter.pool() != null) {
            sql.append(" AND jobs.pool = ?");
            args.add(filter.pool());
        }
        if (filter.submittedAfter() != null) {
            sql.append(" AND jobs.submitted_at > ?");
            args.add(nanos(filter.submittedAfter()));
        }
        if (filter.submittedBefore() != null) {
            sql.append(" AND jobs.submitted_at < ?");
            args.add(nanos(filter.submittedBefore()));
        }
        for (Map.Entry<String, String> label : filter.labels().entrySet()) {
            if (driving != null && label.getKey().equals(driving.getKey())) {
                continue;
            }
            sql.append(" AND EXISTS (SELECT 1 FROM labels l WHERE l.job_id = jobs.id AND l.key = ? AND l.value = ?)");
            args.add(label.getKey());
            args.add(label.getValue());
        }
        sql.append(" ORDER BY ").append(order).append(" LIMIT ?");
        args.add(limit);
        return new Query(sql.toString(), List.copyOf(args));
    }

    private static final Instant FIRST_NANO = Instant.ofEpochSecond(0, Long.MIN_VALUE);
    private static final Instant LAST_NANO = Instant.ofEpochSecond(0, Long.MAX_VALUE);

    /** A time bound in the store's nanoseconds; one outside what they can hold (before 1677, after 2262) is clamped. */
    private static long nanos(Instant at) {
        if (at.isBefore(FIRST_NANO)) {
            return Long.MIN_VALUE;
        }
        if (at.isAfter(LAST_NANO)) {
            return Long.MAX_VALUE;
        }
        return JobDb.nanos(at);
    }
}
