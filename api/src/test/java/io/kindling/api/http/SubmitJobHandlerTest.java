package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubmitJobHandlerTest {

    @Test
    void theHeaderSetsTheIdempotencyKey() {
        JobSpec withKey = SubmitJobHandler.withIdempotencyKey(spec(null), "k-1");

        assertThat(withKey.idempotencyKey()).isEqualTo("k-1");
        assertThat(withKey).usingRecursiveComparison().ignoringFields("idempotencyKey").isEqualTo(spec(null));
    }

    @Test
    void headerAndFieldMustAgree() {
        assertThat(SubmitJobHandler.withIdempotencyKey(spec("k-1"), "k-1").idempotencyKey()).isEqualTo("k-1");
        assertThat(SubmitJobHandler.withIdempotencyKey(spec("k-1"), null).idempotencyKey()).isEqualTo("k-1");
        assertThatThrownBy(() -> SubmitJobHandler.withIdempotencyKey(spec("k-1"), "k-2"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID);
                    assertThat(e.getMessage()).contains("$.idempotencyKey", "Idempotency-Key");
                });
    }

    @Test
    void aJobMayNameOnlyItsOwnTenantsArtifacts() {
        String sha = "a".repeat(64);
        JobSpec own = new JobSpec("pi", null, new Application(ApplicationType.PYTHON, "artifact://acme/" + sha + "/pi.py",
                null, List.of()), null, null, null, List.of("artifact://acme/" + sha + "/deps.zip"), null, null,
                List.of("artifact://acme/" + sha + "/env.zip#env"), null, null, null, null, null).withTenant("acme");
        SubmitJobHandler.requireOwnArtifacts(own);
        JobSpec foreign = new JobSpec("pi", null, new Application(ApplicationType.PYTHON, "/apps/pi.py", null, List.of()),
                null, null, null, null, List.of("artifact://globex/" + sha + "/udf.jar"), null,
                List.of("artifact://globex/" + sha + "/env.zip#env"), null, null, null, null, null).withTenant("acme");
        assertThatThrownBy(() -> SubmitJobHandler.requireOwnArtifacts(foreign))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID);
                    assertThat(e.details()).extracting(io.kindling.schemas.Violation::field)
                            .containsExactly("$.jars[0]", "$.archives[0]");
                    assertThat(e.getMessage()).contains("globex").contains("acme");
                });
    }

    private static JobSpec spec(String idempotencyKey) {
        return new JobSpec("pi", "default", new Application(ApplicationType.PYTHON, "/app/pi.py", null, List.of("5")),
                null, idempotencyKey, null, null, null, null, null, null, null, 60, 5, null);
    }
}
