package io.kindling.api.view;

import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Which jobs a listing shows. Every condition given must hold: the state is one of
 * {@code states} (any when empty), the pool is {@code pool} (any when null), every label in
 * {@code labels} is present with that value, the job was submitted strictly after
 * {@code submittedAfter} and strictly before {@code submittedBefore} (either may be null), and its
 * tenant is one of {@code tenants} (any when empty: callers that restrict a principal to its
 * tenants must pass them, see {@link #withTenants}).
 */
public record JobFilter(Set<JobState> states, String pool, Map<String, String> labels, Instant submittedAfter,
        Instant submittedBefore, Set<String> tenants) {
    public static final JobFilter ALL = new JobFilter(Set.of(), null, Map.of(), null, null, Set.of());

    public JobFilter {
        states = states == null ? Set.of() : Set.copyOf(states);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        tenants = tenants == null ? Set.of() : Set.copyOf(tenants);
    }

    /** Any tenant. */
    public JobFilter(Set<JobState> states, String pool, Map<String, String> labels, Instant submittedAfter,
            Instant submittedBefore) {
        this(states, pool, labels, submittedAfter, submittedBefore, Set.of());
    }

    /** The same filter, limited to jobs of {@code value} (empty: any tenant). */
    public JobFilter withTenants(Set<String> value) {
        return new JobFilter(states, pool, labels, submittedAfter, submittedBefore, value);
    }

    public boolean matches(JobView view) {
        if (!states.isEmpty() && !states.contains(view.state())) {
            return false;
        }
        if (pool != null && !pool.equals(view.pool())) {
            return false;
        }
        if (!tenants.isEmpty() && !tenants.contains(view.tenant() == null ? "default" : view.tenant())) {
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
