package io.kindling.api.view;

import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Which jobs a listing shows. Every condition given must hold: the state is one of
 * {@code states} (any when empty), the pool is {@code pool} (any when null), every label in
 * {@code labels} is present with that value, and the job was submitted strictly after
 * {@code submittedAfter} and strictly before {@code submittedBefore} (either may be null), and the job's tenant is one of {@code tenants} (any when null: an
 * admin's listing).
 */
public record JobFilter(Set<JobState> states, String pool, Map<String, String> labels, Instant submittedAfter,
        Instant submittedBefore, Set<String> tenants) {
    public static final JobFilter ALL = new JobFilter(Set.of(), null, Map.of(), null, null);

    public JobFilter {
        states = states == null ? Set.of() : Set.copyOf(states);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        tenants = tenants == null ? null : Set.copyOf(tenants);
    }

    /** A filter over every tenant. */
    public JobFilter(Set<JobState> states, String pool, Map<String, String> labels, Instant submittedAfter,
            Instant submittedBefore) {
        this(states, pool, labels, submittedAfter, submittedBefore, null);
    }

    /** This filter, restricted to {@code value} (null: any tenant). */
    public JobFilter withTenants(Set<String> value) {
        return new JobFilter(states, pool, labels, submittedAfter, submittedBefore, value);
    }

    public boolean matches(JobView view) {
        if (tenants != null && !tenants.contains(view.tenant() == null ? "default" : view.tenant())) {
            return false;
        }
        if (!states.isEmpty() && !states.contains(view.state())) {
            return false;
        }
        if (pool != null && !pool.equals(view.pool())) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(view.labels().get(label.getKey()))) {
                return false;
            }
        }
        Instant at = view.submittedAt();
        if (submittedAfter != null && (at == null || !at.isAfter(submittedAfter))) {
            return false;
        }
        return submittedBefore == null || (at != null && at.isBefore(submittedBefore));
    }
}
