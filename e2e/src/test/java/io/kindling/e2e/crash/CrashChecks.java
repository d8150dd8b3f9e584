package io.kindling.e2e.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.testsupport.spark.StandInSpark;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the crash tests check of each job's events and of the stand-in spark-submit's ledger. */
final class CrashChecks {
    private CrashChecks() {
    }

    /**
     * The job ended as expected: SUCCEEDED, or FAILED with APP_FAILED; its events are in order
     * ({@link #assertInOrder}). Returns its last event.
     */
    static JobEvent assertEnded(String jobId, List<JobEvent> events, boolean succeeds) {
        assertInOrder(jobId, events);
        JobEvent last = events.get(events.size() - 1);
        if (succeeds) {
            assertThat(last.state()).as("job %s: %s", jobId, events).isEqualTo(JobState.SUCCEEDED);
        } else {
            assertThat(last.state()).as("job %s: %s", jobId, events).isEqualTo(JobState.FAILED);
            assertThat(last.reason()).as("job %s: %s", jobId, events).isEqualTo(FailureReason.APP_FAILED);
        }
        return last;
    }

    /** One terminal event, last; attempt numbers never go back; within an attempt, states only move forward. */
    static void assertInOrder(String jobId, List<JobEvent> events) {
        assertThat(events).as("events of %s", jobId).isNotEmpty();
        assertThat(events.get(0).state()).as("first event of %s", jobId).isEqualTo(JobState.QUEUED);
        assertThat(events.stream().filter(e -> e.state().terminal()).count()).as("terminal events of %s", jobId).isEqualTo(1);
        assertThat(events.get(events.size() - 1).state().terminal()).as("the terminal event of %s is last", jobId).isTrue();
        Set<String> ids = new HashSet<>();
        int attempt = 0;
        int rank = 0;
        Map<JobState, Integer> ranks = new EnumMap<>(Map.of(JobState.DISPATCHED, 1, JobState.SUBMITTING, 2,
                JobState.RUNNING, 3, JobState.RETRYING, 4, JobState.SUCCEEDED, 4, JobState.FAILED, 4, JobState.CANCELLED, 4));
        for (JobEvent e : events) {
            assertThat(ids.add(e.eventId())).as("event %s of %s appears once", e.eventId(), jobId).isTrue();
            if (e.attempt() == null) {
                continue;
            }
            assertThat(e.attempt()).as("attempt numbers of %s never go back: %s", jobId, events).isGreaterThanOrEqualTo(attempt);
            if (e.attempt() > attempt) {
                attempt = e.attempt();
                rank = 0;
            }
            int r = ranks.getOrDefault(e.state(), 0);
            assertThat(r).as("attempt %d of %s moves forward: %s", attempt, jobId, events).isGreaterThan(rank);
            rank = r;
        }
    }

    static void assertNoOverlappingAttempts(List<StandInSpark.Run> runs) {
        Map<String, List<StandInSpark.Run>> byJob = new HashMap<>();
        for (StandInSpark.Run run : runs) {
            assertThat(run.starts()).as("attempt %s was launched once", run.attemptId()).isEqualTo(1);
            byJob.computeIfAbsent(run.jobId(), id -> new ArrayList<>()).add(run);
        }
        byJob.forEach((job, list) -> {
            list.sort(Comparator.comparingLong(StandInSpark.Run::firstMillis));
            for (int i = 1; i < list.size(); i++) {
                assertThat(list.get(i).firstMillis()).as("attempt %s of job %s started after %s ended",
                        list.get(i).attemptId(), job, list.get(i - 1).attemptId())
                        .isGreaterThan(list.get(i - 1).lastMillis());
            }
        });
    }
}
