package io.kindling.api.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.MessageReader;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionSpecsTest {
    @Test
    void aSessionRequestIsAValidSparkConnectJobSpec() {
        JsonObject request = new JsonObject().put("pool", "analytics").put("idleTimeoutSeconds", 120)
                .put("maxLifetimeSeconds", 7200).put("conf", new JsonObject().put("spark.sql.shuffle.partitions", "4"))
                .put("labels", new JsonObject().put("team", "ingest"));

        JobSpec spec = new MessageReader().readJobSpec(SessionSpecs.jobSpec(request));

        assertThat(spec.application().type()).isEqualTo(ApplicationType.SPARK_CONNECT);
        assertThat(spec.pool()).isEqualTo("analytics");
        assertThat(spec.timeoutSeconds()).isEqualTo(7200);
        assertThat(spec.conf()).containsEntry("spark.sql.shuffle.partitions", "4");
        assertThat(spec.retry().maxAttempts()).isEqualTo(1);
        assertThat(spec.retry().maxSubmissionAttempts()).isEqualTo(SessionSpecs.SUBMISSION_ATTEMPTS);
        assertThat(spec.retry().retryOn()).containsExactly(FailureReason.SUBMISSION_FAILED);
        assertThat(spec.labels()).containsEntry(SessionSpecs.SESSION_LABEL, "true")
                .containsEntry(SessionSpecs.IDLE_TIMEOUT_LABEL, "120").containsEntry("team", "ingest");
        assertThat(SessionSpecs.userLabels(spec.labels())).isEqualTo(Map.of("team", "ingest"));
    }

    @Test
    void anEmptyRequestTakesTheDefaults() {
        JobSpec spec = new MessageReader().readJobSpec(SessionSpecs.jobSpec(new JsonObject()));
        assertThat(spec.pool()).isEqualTo(JobSpec.DEFAULT_POOL);
        assertThat(spec.timeoutSeconds()).isEqualTo(SessionSpecs.DEFAULT_MAX_LIFETIME_SECONDS);
        assertThat(spec.labels()).containsEntry(SessionSpecs.IDLE_TIMEOUT_LABEL,
                Integer.toString(SessionSpecs.DEFAULT_IDLE_TIMEOUT_SECONDS));
    }

    @Test
    void theApisLabelsAreReserved() {
        assertThat(SessionSpecs.reservedLabel(Map.of("team", "a", "kindling.io/session", "true"))).hasValue("kindling.io/session");
        assertThat(SessionSpecs.reservedLabel(Map.of("team", "a"))).isEmpty();
    }
}
