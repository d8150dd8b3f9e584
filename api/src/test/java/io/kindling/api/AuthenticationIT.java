package io.kindling.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.testsupport.auth.TestTokens;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Static tokens revoked and added by editing the file, and authentication disabled on loopback, on the real api. */
@ExtendWith(KafkaTestExtension.class)
class AuthenticationIT {

    @Test
    void theTokensFileIsReadAgainWhenItChanges(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        TestTokens first = TestTokens.admin().add("ci", List.of("acme"), List.of("read"));
        try (ApiHarness h = ApiHarness.start(kafka, blobDir, Map.of(), first)) {
            Path file = Path.of(h.env.get("KINDLING_AUTH_TOKENS_FILE"));
            assertThat(status(h, first.get("ci").bearer())).isEqualTo(200);

            TestTokens second = TestTokens.admin().add("ci-2", List.of("acme"), List.of("read"));
            second.write(file);
            Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
            await().atMost(ApiHarness.DEADLINE).until(() -> status(h, second.get("ci-2").bearer()) == 200);
            assertThat(status(h, first.get("ci").bearer())).as("a token removed from the file").isEqualTo(401);
            assertThat(Files.readString(file)).doesNotContain(second.get("ci-2").value());
        }
    }

    @Test
    void disabledOnLoopbackEveryCallerIsAnAdmin(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        try (ApiHarness h = ApiHarness.start(kafka, blobDir, Map.of("KINDLING_AUTH_DISABLED", "true"))) {
            HttpResponse<String> r = h.http.send(HttpRequest.newBuilder(URI.create(h.base + "/v1/jobs"))
                    .timeout(ApiHarness.DEADLINE).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
    }

    private static int status(ApiHarness h, String authorization) throws Exception {
        return h.http.send(HttpRequest.newBuilder(URI.create(h.base + "/v1/jobs")).header("Authorization", authorization)
                .timeout(ApiHarness.DEADLINE).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
