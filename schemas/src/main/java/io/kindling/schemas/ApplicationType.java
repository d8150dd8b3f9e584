package io.kindling.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What kind of Spark application a job runs. */
public enum ApplicationType {
    @JsonProperty("python") PYTHON,
    @JsonProperty("jvm") JVM
}
