package io.kindling.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.testsupport.azurite.AzuriteFixture;
import io.kindling.testsupport.azurite.SharedAzurite;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code staging end to end: {@code examples/pi.py} is uploaded through {@code POST /v1/artifacts}
 * into Azurite, a job names the returned {@code artifact://} URI as its application file, and the
 * worker fetches it (verifying its hash) into its artifact cache and runs it with real spark-submit.
 */
@ExtendWith(SharedAzurite.class)
class ArtifactJobIT {
    private static final Duration JOB_DEADLINE = Duration.ofMinutes(4);

    @TempDir
    static Path home;
    private static E2eStack e2e;
    private static KindlingClient client;

    @BeforeAll
    static void startStack(AzuriteFixture azurite) throws Exception {
        e2e = E2eStack.start("artifacts", home, azurite, Map.of());
        client = e2e.client();
    }

    @AfterAll
    static void stopStack() {
        if (e2e != null) {
            e2e.close();
        }
    }

    @Test
    void aJobWhoseCodeWasUploadedRuns() throws Exception {
        byte[] code = Files.readAllBytes(ProjectTools.projectDir().resolve("examples/pi.py"));
        JsonNode artifact = upload("pi.py", code);
        String uri = artifact.get("uri").asText();
        assertThat(uri).startsWith("artifact://default/").endsWith("/pi.py");
        assertThat(artifact.get("size").asLong()).isEqualTo(code.length);

        String id = client.submit("""
                {"name": "pi-artifact", "application": {"type": "python", "file": "%s", "args": ["4"]},
                 "conf": {"spark.ui.enabled": "false"}}
                """.formatted(uri));

        JobView view = client.awaitTerminal(id, JOB_DEADLINE);
        assertThat(view.state()).as("%s", view).isEqualTo(JobState.SUCCEEDED);
        await().atMost(Duration.ofSeconds(30)).until(() -> client.log(id, "stdout").contains("Pi is roughly"));
        String sha = artifact.get("sha256").asText();
        assertThat(home.resolve("artifacts").resolve("default").resolve(sha).resolve("pi.py")).hasBinaryContent(code);
    }

    private static JsonNode upload(String name, byte[] content) throws Exception {
        String boundary = "kindling-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
                + "\"\r\nContent-Type: text/x-python\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + e2e.apiPort() + "/v1/artifacts"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Authorization", e2e.client().authorization())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("POST /v1/artifacts: %s", response.body()).isEqualTo(201);
            return new KindlingClient.Response(response.statusCode(), response.body(), response.headers()).json();
        }
    }
}
