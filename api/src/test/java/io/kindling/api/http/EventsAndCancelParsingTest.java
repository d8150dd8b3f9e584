package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.api.view.IndexedEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the events handler reads from a request (the cancel body: {@link RequestContractTest}). */
class EventsAndCancelParsingTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void lastEventIdIsAnIndexOrAbsent() {
        assertThat(GetJobEventsHandler.lastEventId(null)).isEqualTo(-1);
        assertThat(GetJobEventsHandler.lastEventId(" ")).isEqualTo(-1);
        assertThat(GetJobEventsHandler.lastEventId("0")).isZero();
        assertThat(GetJobEventsHandler.lastEventId("41")).isEqualTo(41);
        for (String bad : List.of("-1", "x", "1.5")) {
            assertThatThrownBy(() -> GetJobEventsHandler.lastEventId(bad)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.getMessage()).startsWith("Last-Event-ID: "));
        }
    }

    @Test
    void aStreamHasEndedForAClientThatSawTheTerminalEvent() {
        List<IndexedEvent> events = List.of(
                new IndexedEvent(0, JobEvents.job("j", JobState.QUEUED, T0).build()),
                new IndexedEvent(1, JobEvents.job("j", JobState.CANCELLED, T0).build()));
        assertThat(GetJobEventsHandler.endedAtOrBefore(events, -1)).isFalse();
        assertThat(GetJobEventsHandler.endedAtOrBefore(events, 0)).isFalse();
        assertThat(GetJobEventsHandler.endedAtOrBefore(events, 1)).isTrue();
        assertThat(GetJobEventsHandler.endedAtOrBefore(events.subList(0, 1), 5)).isFalse();
    }

    @Test
    void anUnknownJobIsNotFoundOnlyOnceTheViewsAreComplete() {
        assertThat(ApiException.unknownJob("j", true).code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(ApiException.unknownJob("j", false).code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }
}
