package io.kindling.api;

import static io.kindling.api.ApiHarness.assertError;
import static io.kindling.api.ApiHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.testsupport.kafka.KafkaFixture;
import io.kindling.testsupport.kafka.KafkaTestExtension;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/artifacts} and {@code GET /v1/artifacts/...} on a real api over a local blob directory. */
@ExtendWith(KafkaTestExtension.class)
class ArtifactUploadIT {
    private static final int MAX_BYTES = 256 * 1024;

    private static ApiHarness h;
    private static Path blobs;

    @BeforeAll
    static void start(KafkaFixture kafka, @TempDir Path blobDir) throws Exception {
        blobs = blobDir;
        h = ApiHarness.start(kafka, blobDir, Map.of("KINDLING_MAX_ARTIFACT_BYTES", Integer.toString(MAX_BYTES)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void theSameContentTwiceAnswersTheSameUriAndIsStoredOnce() throws Exception {
        byte[] content = ("print('hello " + UUID.randomUUID() + "')\n").getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));

        HttpResponse<String> first = upload("hello.py", content, Map.of("tenant", "acme"), Map.of());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode body = json(first);
        assertThat(body.get("uri").asText()).isEqualTo("artifact://acme/" + sha + "/hello.py");
        assertThat(body.get("sha256").asText()).isEqualTo(sha);
        assertThat(body.get("size").asLong()).isEqualTo(content.length);
        Path stored = blobs.resolve("artifacts/acme/" + sha + "/hello.py");
        assertThat(stored).hasBinaryContent(content);
        long modified = Files.getLastModifiedTime(stored).toMillis();

        HttpResponse<String> second = upload("hello.py", content, Map.of(), Map.of("X-Kindling-Tenant", "acme"));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
        assertThat(json(second).get("uri").asText()).isEqualTo(body.get("uri").asText());
        assertThat(Files.getLastModifiedTime(stored).toMillis()).isEqualTo(modified);
        try (Stream<Path> files = Files.list(stored.getParent())) {
            assertThat(files.toList()).containsExactly(stored);
        }

        HttpResponse<byte[]> download = h.http.send(h.authorized(HttpRequest.newBuilder(
                URI.create(h.base + "/v1/artifacts/acme/" + sha + "/hello.py")).GET().build()),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
    }

    @Test
    void withoutATenantTheArtifactBelongsToTheDefaultTenant() throws Exception {
        HttpResponse<String> response = upload("lib.zip", new byte[] {1, 2, 3}, Map.of(), Map.of());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(json(response).get("uri").asText()).startsWith("artifact://default/").endsWith("/lib.zip");
    }

    @Test
    void aBadFileNameOrTenantIs400() throws Exception {
        assertError(upload("../etc/passwd", new byte[] {1}, Map.of(), Map.of()), 400, "INVALID_PARAMETER");
        assertError(upload("my app.py", new byte[] {1}, Map.of(), Map.of()), 400, "INVALID_PARAMETER");
        assertError(upload("ok.py", new byte[] {1}, Map.of("tenant", ".."), Map.of()), 400, "INVALID_PARAMETER");
        assertError(upload("ok.py", new byte[] {1}, Map.of(), Map.of("X-Kindling-Tenant", "a/b")), 400,
                "INVALID_PARAMETER");
    }

    @Test
    void aBodyWithoutAFilePartIs400AndANonMultipartBodyIs415() throws Exception {
        HttpResponse<String> noFile = send(multipart(List.of(), Map.of("tenant", "acme")), Map.of());
        assertError(noFile, 400, "INVALID_PARAMETER");
        assertError(h.post("/v1/artifacts", "{}", Map.of()), 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    @Test
    void aFileOverTheLimitIs413() throws Exception {
        HttpResponse<String> response = upload("big.jar", new byte[MAX_BYTES + 1], Map.of(), Map.of());
        assertError(response, 413, "TOO_LARGE");
        assertThat(json(response).get("message").asText()).contains(Integer.toString(MAX_BYTES));
    }

    @Test
    void anUnknownArtifactIs404() throws Exception {
        assertError(h.get("/v1/artifacts/acme/" + "0".repeat(64) + "/none.py"), 404, "NOT_FOUND");
    }

    private static HttpResponse<String> upload(String name, byte[] content, Map<String, String> fields,
            Map<String, String> headers) throws Exception {
        return send(multipart(List.of(new Part(name, content)), fields), headers);
    }

    private record Part(String fileName, byte[] content) {
    }

    private record Body(String boundary, byte[] bytes) {
    }

    private static Body multipart(List<Part> files, Map<String, String> fields) {
        String boundary = "kindling-" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((k, v) -> out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k
                + "\"\r\n\r\n" + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
        for (Part part : files) {
            out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                    + part.fileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(part.content());
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new Body(boundary, out.toByteArray());
    }

    private static HttpResponse<String> send(Body body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(h.base + "/v1/artifacts"))
                .header("Content-Type", "multipart/form-data; boundary=" + body.boundary())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        headers.forEach(request::header);
        return h.send(request);
    }
}
