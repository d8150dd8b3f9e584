package io.kindling.schemas;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** A record on the commands topic, keyed by job id. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SubmitJob.class, name = "submit"),
    @JsonSubTypes.Type(value = CancelJob.class, name = "cancel")
})
public sealed interface JobCommand permits SubmitJob, CancelJob {
    String jobId();
}
