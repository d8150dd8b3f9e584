package io.kindling.api.view;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import org.junit.jupiter.api.Test;

/** A listed view is decoded once while its stored bytes stay the same, again when they change; the cache is bounded. */
class DecodedViewsTest {
    private static byte[] stored(String id, JobState state) {
        return ("{\"id\":\"" + id + "\",\"tenant\":\"acme\",\"state\":\"" + state + "\"}").getBytes(UTF_8);
    }

    @Test
    void theSameBytesGiveTheViewDecodedBeforeAndChangedBytesANewOne() {
        DecodedViews views = new DecodedViews(2);
        JobView first = views.view("a", stored("a", JobState.RUNNING));
        assertThat(views.view("a", stored("a", JobState.RUNNING))).isSameAs(first);

        JobView changed = views.view("a", stored("a", JobState.SUCCEEDED));
        assertThat(changed.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(changed).isNotSameAs(first);
    }

    @Test
    void theLeastRecentlyListedViewIsDroppedBeyondTheCapacity() {
        DecodedViews views = new DecodedViews(2);
        JobView a = views.view("a", stored("a", JobState.RUNNING));
        JobView b = views.view("b", stored("b", JobState.RUNNING));
        views.view("a", stored("a", JobState.RUNNING)); // a listed again: b is now the eldest
        views.view("c", stored("c", JobState.RUNNING));
        assertThat(views.view("a", stored("a", JobState.RUNNING))).isSameAs(a);
        assertThat(views.view("b", stored("b", JobState.RUNNING))).isNotSameAs(b).isEqualTo(b);

        DecodedViews none = new DecodedViews(0);
        assertThat(none.view("a", stored("a", JobState.RUNNING))).isNotSameAs(none.view("a", stored("a", JobState.RUNNING)));
    }
}
