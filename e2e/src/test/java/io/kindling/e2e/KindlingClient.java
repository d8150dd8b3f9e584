package io.kindling.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for the api, as a user would call it: with a bearer token. */
final class KindlingClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    KindlingClient(int port, String token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
    }

    /** A client with the admin token that the embedded stack created in {@code home} ({@code admin.token}). */
    static KindlingClient forHome(int port, java.nio.file.Path home) {
        return new KindlingClient(port, adminToken(home));
    }

    /** The token in {@code home/admin.token}, as {@code ./kindling up} leaves it. */
    static String adminToken(java.nio.file.Path home) {
        try {
            return java.nio.file.Files.readString(home.resolve("admin.token")).trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code Authorization} header value. */
    String authorization() {
        return "Bearer " + token;
    }

    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    Response post(String path, String body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .header("Authorization", authorization())
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body(), r.headers());
    }

    Response get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization())
                .timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body(), r.headers());
    }

    Response delete(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization())
                .timeout(Duration.ofSeconds(30)).DELETE().build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body(), r.headers());
    }

    /** Submits a job ({@code POST /v1/jobs}), failing unless it is accepted (202); returns its id. */
    String submit(String body) throws IOException, InterruptedException {
        Response r = post("/v1/jobs", body);
        if (r.status() != 202) {
            throw new AssertionError("POST /v1/jobs: " + r.status() + " " + r.body());
        }
        return r.json().get("id").asText();
    }

    /** The job's view once it is terminal, looked at every 500 ms for up to {@code deadline}. */
    JobView awaitTerminal(String id, Duration deadline) {
        return await("job " + id + " terminal").atMost(deadline).pollInterval(Duration.ofMillis(500))
                .until(() -> job(id), v -> v.state().terminal());
    }

    JobView job(String id) throws IOException, InterruptedException {
        Response r = get("/v1/jobs/" + id);
        if (r.status() != 200) {
            throw new AssertionError("GET job " + id + ": " + r.status() + " " + r.body());
        }
        return Json.decode(r.body().getBytes(UTF_8), JobView.class);
    }

    /** The whole stream, read page by page with the next-offset header, as a client follows it. */
    String log(String id, String stream) throws IOException, InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        long offset = 0;
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(
                    base + "/v1/jobs/" + id + "/logs/" + stream + "?offset=" + offset + "&limit=65536"))
                    .header("Authorization", authorization()).timeout(Duration.ofSeconds(30)).GET().build();
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new AssertionError("GET log: " + r.statusCode() + " " + new String(r.body(), UTF_8));
            }
            all.write(r.body());
            long next = Long.parseLong(r.headers().firstValue("Kindling-Next-Offset").orElseThrow());
            if (next == offset) {
                return all.toString(UTF_8);
            }
            offset = next;
        }
    }
}
