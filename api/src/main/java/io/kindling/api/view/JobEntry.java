package io.kindling.api.view;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobView;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the api keeps of one job: its view, its spec (null if no event carried it), the ids of the
 * events applied (to skip repeats), and its last events, {@code events.get(i)} having index
 * {@code firstIndex + i}. Immutable; {@link JobViewStore} replaces it on every change.
 */
record JobEntry(JobView view, JobSpec spec, Set<String> applied, List<JobEvent> events, long firstIndex) {
    JobEntry {
        applied = Set.copyOf(applied);
        events = List.copyOf(events);
    }

    long nextIndex() {
        return firstIndex + events.size();
    }

    boolean finished() {
        return view.state().terminal();
    }

    /** When the job reached its final state (its view's last update), null while it is live. */
    Instant finishedAt() {
        return finished() ? view.updatedAt() : null;
    }

    String tenant() {
        return view.tenant() != null ? view.tenant() : JobSpec.DEFAULT_TENANT;
    }
}
