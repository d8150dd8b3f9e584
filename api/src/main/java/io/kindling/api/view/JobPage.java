package io.kindling.api.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kindling.schemas.JobView;
import java.util.List;

/** One page of a listing, and where the next one starts (null when this is the last). */
public record JobPage(List<JobView> items, @JsonInclude(JsonInclude.Include.ALWAYS) String nextCursor) {
    public JobPage {
        items = List.copyOf(items);
    }
}
