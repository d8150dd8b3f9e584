package io.kindling.schemas;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What kind of Spark application a job runs. */
public enum ApplicationType {
    @JsonProperty("python") PYTHON,
    @JsonProperty("jvm") JVM,
    /** Spark's own Spark Connect server: the application of an interactive session; no file, main class or args. */
    @JsonProperty("spark-connect") SPARK_CONNECT
}
