package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.api.view.JobCursor;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Violation;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListJobsQueryTest {

    @Test
    void noParametersListEverythingFiftyAtATime() {
        ListJobsQuery query = ListJobsQuery.parse(MultiMap.caseInsensitiveMultiMap());
        assertThat(query.limit()).isEqualTo(50);
        assertThat(query.cursor()).isNull();
        assertThat(query.filter().states()).isEmpty();
        assertThat(query.filter().pool()).isNull();
        assertThat(query.filter().labels()).isEmpty();
    }

    @Test
    void statesAreRepeatableOrACommaList() {
        MultiMap params = MultiMap.caseInsensitiveMultiMap()
                .add("state", "QUEUED,RUNNING")
                .add("state", "FAILED");
        assertThat(ListJobsQuery.parse(params).filter().states())
                .containsExactlyInAnyOrder(JobState.QUEUED, JobState.RUNNING, JobState.FAILED);
    }

    @Test
    void everyFilterIsRead() {
        String cursor = new JobCursor(Instant.parse("2026-01-01T00:00:00Z"), "job-9").encode();
        MultiMap params = MultiMap.caseInsensitiveMultiMap()
                .add("pool", "gpu")
                .add("label", "team=data")
                .add("label", "expr=a=b")
                .add("submittedAfter", "2026-01-01T01:00:00+01:00")
                .add("submittedBefore", "2026-01-02T00:00:00Z")
                .add("limit", "500")
                .add("cursor", cursor);
        ListJobsQuery query = ListJobsQuery.parse(params);
        assertThat(query.filter().pool()).isEqualTo("gpu");
        assertThat(query.filter().labels()).isEqualTo(Map.of("team", "data", "expr", "a=b"));
        assertThat(query.filter().submittedAfter()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(query.filter().submittedBefore()).isEqualTo(Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(query.limit()).isEqualTo(500);
        assertThat(query.cursor()).isEqualTo(new JobCursor(Instant.parse("2026-01-01T00:00:00Z"), "job-9"));
    }

    @Test
    void timesAreReadAsRfc3339SaysNotOnlyAsJavaTimeDoes() {
        assertThat(ListJobsQuery.rfc3339("0713-05-12T14:50:22-22:05")).isEqualTo(Instant.parse("0713-05-13T12:55:22Z"));
        assertThat(ListJobsQuery.rfc3339("2026-06-30t23:59:60.5z")).isEqualTo(Instant.parse("2026-06-30T23:59:59.5Z"));
        assertThat(ListJobsQuery.rfc3339("2026-01-01T01:00:00.123456789+01:00"))
                .isEqualTo(Instant.parse("2026-01-01T00:00:00.123456789Z"));
    }

    @Test
    void badValuesNameTheParameter() {
        assertInvalid("state", MultiMap.caseInsensitiveMultiMap().add("state", "QUEUED,SLEEPING"));
        // exactly the document's pattern: upper case, no spaces, no empty entry
        assertInvalid("state", MultiMap.caseInsensitiveMultiMap().add("state", "running"));
        assertInvalid("state", MultiMap.caseInsensitiveMultiMap().add("state", "QUEUED, RUNNING"));
        assertInvalid("state", MultiMap.caseInsensitiveMultiMap().add("state", ""));
        assertInvalid("tenant", MultiMap.caseInsensitiveMultiMap().add("tenant", ""));
        assertInvalid("submittedAfter", MultiMap.caseInsensitiveMultiMap().add("submittedAfter", ""));
        assertInvalid("submittedAfter", MultiMap.caseInsensitiveMultiMap().add("submittedAfter", "2026-01-01T24:00:00Z"));
        assertInvalid("label", MultiMap.caseInsensitiveMultiMap().add("label", "team"));
        assertInvalid("label", MultiMap.caseInsensitiveMultiMap().add("label", "=x"));
        assertInvalid("label", MultiMap.caseInsensitiveMultiMap().add("label", "a=1").add("label", "a=2"));
        assertInvalid("limit", MultiMap.caseInsensitiveMultiMap().add("limit", "0"));
        assertInvalid("limit", MultiMap.caseInsensitiveMultiMap().add("limit", "501"));
        assertInvalid("limit", MultiMap.caseInsensitiveMultiMap().add("limit", "ten"));
        assertInvalid("submittedAfter", MultiMap.caseInsensitiveMultiMap().add("submittedAfter", "yesterday"));
        assertInvalid("submittedBefore", MultiMap.caseInsensitiveMultiMap().add("submittedBefore", "2026-01-01"));
        assertInvalid("cursor", MultiMap.caseInsensitiveMultiMap().add("cursor", "not-a-cursor"));
        assertInvalid("pool", MultiMap.caseInsensitiveMultiMap().add("pool", "a").add("pool", "b"));
    }

    private static void assertInvalid(String name, MultiMap params) {
        assertThatThrownBy(() -> ListJobsQuery.parse(params)).as(name).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER);
            assertThat(e.getMessage()).startsWith(name + ": ");
            assertThat(e.details()).extracting(Violation::field).containsExactly(name);
        });
    }
}
