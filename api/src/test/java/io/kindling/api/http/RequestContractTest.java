package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The document's request rules, applied by {@link RequestContract} in a real router to real HTTP
 * requests: what each of submitJob, listJobs, cancelJob and uploadArtifact refuses, with the api's
 * error body, and what the handler then reads ({@link ValidRequest}), echoed as JSON.
 */
class RequestContractTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Vertx vertx;
    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void serve() throws Exception {
        vertx = Vertx.vertx();
        OpenAPIContract contract = ApiContract.load(vertx).await(30, TimeUnit.SECONDS);
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
        route(router, "/v1/jobs", io.vertx.core.http.HttpMethod.GET, RequestContract.of(contract, "listJobs"));
        route(router, "/v1/jobs", io.vertx.core.http.HttpMethod.POST,
                RequestContract.of(contract, "submitJob").bodyReadByHandler());
        route(router, "/v1/jobs/:id/cancel", io.vertx.core.http.HttpMethod.POST,
                RequestContract.of(contract, "cancelJob"));
        router.route().failureHandler(new ErrorResponses(64 * 1024));
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
    }

    private static void route(Router router, String path, io.vertx.core.http.HttpMethod method,
            RequestContract rules) {
        router.route(method, path).handler(rules).handler(ctx -> {
            ValidRequest valid = ValidRequest.of(ctx);
            ctx.json(new JsonObject().put("parameters", new JsonObject(valid.parameters()))
                    .put("body", valid.body()));
        });
    }

    @AfterAll
    static void close() throws Exception {
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    @Test
    void listParametersAreTypedDefaultedAndDecodedOnce() throws Exception {
        JsonObject read = ok(get("/v1/jobs?state=QUEUED,RUNNING&state=FAILED&label=team%3Dd%25ta&label=x%3Da%26label%3Db"));
        JsonObject parameters = read.getJsonObject("parameters");
        assertThat(parameters.getJsonArray("state").getList()).containsExactly("QUEUED,RUNNING", "FAILED");
        // decoded once: '%25' is a '%', and an encoded '&label=' inside a value stays in it
        assertThat(parameters.getJsonArray("label").getList()).containsExactly("team=d%ta", "x=a&label=b");
        assertThat(parameters.getLong("limit")).isEqualTo(50L); // the document's default
        // an RFC 3339 offset java.time refuses (past 18:00) is ListJobsQuery's to read
        assertThat(ok(get("/v1/jobs?submittedBefore=0328-07-13T08%3A44%3A39.03208%2B23%3A06"))
                .getJsonObject("parameters").getString("submittedBefore")).isEqualTo("0328-07-13T08:44:39.03208+23:06");
        assertThat(ok(get("/v1/jobs?limit=500&tenant=acme")).getJsonObject("parameters").getLong("limit")).isEqualTo(500L);
    }

    @Test
    void aBadListParameterIsNamed() throws Exception {
        for (String[] bad : new String[][] {{"state=SLEEPING", "state"}, {"state=QUEUED,%20RUNNING", "state"},
                {"limit=0", "limit"}, {"limit=501", "limit"}, {"limit=ten", "limit"}, {"limit=1&limit=2", "limit"},
                {"tenant=", "tenant"}, {"tenant=Upper", "tenant"}, {"label=team", "label"},
                {"state=running", "state"}, {"state=", "state"}, {"label==x", "label"}, {"pool=a&pool=b", "pool"}}) {
            HttpResponse<String> response = get("/v1/jobs?" + bad[0]);
            JsonObject error = error(response, 400, "INVALID_PARAMETER");
            assertThat(error.getJsonArray("details").getJsonObject(0).getString("field")).as(bad[0]).isEqualTo(bad[1]);
            assertThat(error.getString("message")).as(bad[0]).startsWith(bad[1] + ": ");
        }
    }

    @Test
    void submitHeadersFollowTheDocumentAndTheBodyIsLeftToTheJobSpecReader() throws Exception {
        error(post("/v1/jobs", "{}", "application/json", Map.of("Idempotency-Key", "k".repeat(201))), 400,
                "INVALID_PARAMETER");
        error(post("/v1/jobs", "{}", "application/json", Map.of("X-Kindling-Tenant", "a/b")), 400, "INVALID_PARAMETER");
        error(post("/v1/jobs", "{}", "application/json", Map.of("Idempotency-Key", "")), 400, "INVALID_PARAMETER");
        for (String type : new String[] {null, "text/plain", "application/jsonx", "application/x-www-form-urlencoded"}) {
            error(post("/v1/jobs", "{}", type, Map.of()), 415, "UNSUPPORTED_MEDIA_TYPE");
        }
        assertThat(ok(post("/v1/jobs", "{}", "Application/JSON; charset=utf-8", Map.of())).getValue("body")).isNull();
        JsonObject read = ok(post("/v1/jobs", "{\"not\": \"a spec\"}", "application/vnd.kindling+json",
                Map.of("Idempotency-Key", "run-1")));
        assertThat(read.getJsonObject("parameters").getString("Idempotency-Key")).isEqualTo("run-1");
        assertThat(read.getValue("body")).isNull();
    }

    @Test
    void theCancelBodyIsOptionalAndHoldsOnlyAReason() throws Exception {
        assertThat(ok(post("/v1/jobs/job-1/cancel", "", null, Map.of())).getValue("body")).isNull();
        assertThat(ok(post("/v1/jobs/job-1/cancel", "{\"reason\": \"not needed\"}", "application/json", Map.of()))
                .getJsonObject("body").getString("reason")).isEqualTo("not needed");
        assertThat(ok(post("/v1/jobs/job-1/cancel", "{\"reason\": null}", "application/json", Map.of()))
                .getJsonObject("body").getString("reason")).isNull();

        error(post("/v1/jobs/Not_An_Id/cancel", "", null, Map.of()), 400, "INVALID_PARAMETER");
        assertThat(error(post("/v1/jobs/job-1/cancel", "{\"reason\": ", "application/json", Map.of()), 400,
                "MALFORMED_JSON").getString("message")).startsWith("malformed JSON");
        error(post("/v1/jobs/job-1/cancel", "[1]", "application/json", Map.of()), 400, "SCHEMA_VIOLATION");
        assertField(error(post("/v1/jobs/job-1/cancel", "{\"reason\": 5}", "application/json", Map.of()), 400,
                "SCHEMA_VIOLATION"), "$.reason");
        assertField(error(post("/v1/jobs/job-1/cancel", "{\"reason\": \"" + "x".repeat(1001) + "\"}", "application/json",
                Map.of()), 400, "SCHEMA_VIOLATION"), "$.reason");
        JsonObject unknown = error(post("/v1/jobs/job-1/cancel", "{\"why\": \"x\"}", "application/json", Map.of()), 400,
                "UNKNOWN_FIELD");
        assertField(unknown, "$.why");
        assertThat(unknown.getString("message")).contains("why");
        error(post("/v1/jobs/job-1/cancel", "{}", "text/plain", Map.of()), 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    private static void assertField(JsonObject error, String field) {
        assertThat(error.getJsonArray("details").getJsonObject(0).getString("field")).as(error.encode()).isEqualTo(field);
    }

    private static JsonObject ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }

    private static JsonObject error(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("code")).as(response.body()).isEqualTo(code);
        return body;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, String contentType, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
