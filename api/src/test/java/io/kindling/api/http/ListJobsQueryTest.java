package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.api.view.JobCursor;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Violation;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The query as {@link RequestContract} hands it over (see {@link RequestContractTest} for the document's rules). */
class ListJobsQueryTest {

    @Test
    void noFiltersListEverythingAPageAtATime() {
        ListJobsQuery query = ListJobsQuery.from(query(Map.of("limit", 50L)));
        assertThat(query.limit()).isEqualTo(50);
        assertThat(query.cursor()).isNull();
        assertThat(query.filter().states()).isEmpty();
        assertThat(query.filter().pool()).isNull();
        assertThat(query.filter().labels()).isEmpty();
    }

    @Test
    void statesAreRepeatableOrACommaList() {
        assertThat(ListJobsQuery.from(query(Map.of("limit", 50L, "state", new JsonArray().add("QUEUED,RUNNING").add("FAILED"))))
                .filter().states()).containsExactlyInAnyOrder(JobState.QUEUED, JobState.RUNNING, JobState.FAILED);
    }

    @Test
    void everyFilterIsRead() {
        String cursor = new JobCursor(Instant.parse("2026-01-01T00:00:00Z"), "job-9").encode();
        ListJobsQuery query = ListJobsQuery.from(query(Map.of(
                "pool", "gpu",
                "label", new JsonArray().add("team=data").add("expr=a=b"),
                "submittedAfter", "2026-01-01T01:00:00+01:00",
                "submittedBefore", "2026-01-02T00:00:00Z",
                "limit", 500L,
                "cursor", cursor)));
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
    void whatTheDocumentCannotStateIsRefusedNamingTheParameter() {
        // format: date-time is read here (RFC 3339's offsets go past java.time's 18:00; see RequestContract)
        assertInvalid("label", Map.of("label", new JsonArray().add("a=1").add("a=2")));
        assertInvalid("cursor", Map.of("cursor", "not-a-cursor"));
        assertInvalid("submittedAfter", Map.of("submittedAfter", "2026-01-01T24:00:00Z"));
        assertInvalid("submittedAfter", Map.of("submittedAfter", "yesterday"));
        assertInvalid("submittedAfter", Map.of("submittedAfter", ""));
        assertInvalid("submittedBefore", Map.of("submittedBefore", "2026-01-01"));
    }

    private static ValidRequest query(Map<String, Object> parameters) {
        return new ValidRequest(parameters, null);
    }

    private static void assertInvalid(String name, Map<String, Object> parameters) {
        Map<String, Object> withLimit = new java.util.HashMap<>(parameters);
        withLimit.put("limit", 50L);
        assertThatThrownBy(() -> ListJobsQuery.from(query(withLimit))).as(name)
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER);
                    assertThat(e.getMessage()).startsWith(name + ": ");
                    assertThat(e.details()).extracting(Violation::field).containsExactly(name);
                });
    }
}
