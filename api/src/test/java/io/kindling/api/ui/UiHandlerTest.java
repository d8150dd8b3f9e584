package io.kindling.api.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static handler on a real Vert.x server, over a UI "built" into a temporary classpath directory. */
class UiHandlerTest {
    @TempDir
    Path classes;
    private Vertx vertx;
    private HttpClient http;
    private String base;

    @BeforeEach
    void start() throws Exception {
        Path ui = Files.createDirectories(classes.resolve("io/kindling/ui/assets"));
        Files.writeString(classes.resolve("io/kindling/ui/index.html"), "<!doctype html><title>Kindling</title>");
        Files.writeString(ui.resolve("index-abc123.js"), "console.log(1)");
        ClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null);
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route(UiHandler.PREFIX + "*").handler(new UiHandler(vertx,
                new UiSettings("https://login.example.com/tenant/v2.0", "ui-client", "openid api://kindling/.default",
                        "http://history.example.com:18080/"), loader));
        int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
        base = "http://127.0.0.1:" + port;
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void redirectsTheBarePrefixToTheIndex() throws Exception {
        HttpResponse<String> res = get("/ui");
        assertThat(res.statusCode()).isEqualTo(301);
        assertThat(res.headers().firstValue("Location")).hasValue("/ui/");
    }

    @Test
    void servesTheIndexRevalidatedWithAContentSecurityPolicy() throws Exception {
        HttpResponse<String> res = get("/ui/");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("<title>Kindling</title>");
        assertThat(res.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(res.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(res.headers().firstValue("Content-Security-Policy")).get().asString()
                .contains("default-src 'self'").contains("connect-src 'self' https://login.example.com");
    }

    @Test
    void answersTheIndexForTheUisOwnRoutes() throws Exception {
        for (String path : new String[] {"/ui/jobs", "/ui/jobs/job-1/logs", "/ui/queues", "/ui/jobs/x?stream=stdout"}) {
            HttpResponse<String> res = get(path);
            assertThat(res.statusCode()).as(path).isEqualTo(200);
            assertThat(res.body()).as(path).contains("<title>Kindling</title>");
        }
    }

    @Test
    void leavesPathsOutsideTheUiToTheRouter() throws Exception {
        // normalized to /etc/passwd: not the UI's, so the router answers (404 here)
        HttpResponse<String> res = get("/ui/a/../../etc/passwd");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.body()).doesNotContain("root:");
        assertThat(get("/uix").statusCode()).isEqualTo(404);
    }

    @Test
    void cachesFingerprintedAssetsForAYearAndAnswers404ForMissingOnes() throws Exception {
        HttpResponse<String> res = get("/ui/assets/index-abc123.js");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo("console.log(1)");
        assertThat(res.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(res.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        assertThat(get("/ui/assets/gone-000.js").statusCode()).isEqualTo(404);
    }

    @Test
    void tellsTheUiTheOidcSettings() throws Exception {
        HttpResponse<String> res = get("/ui/config.json");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).contains("\"authority\":\"https://login.example.com/tenant/v2.0\"")
                .contains("\"clientId\":\"ui-client\"").contains("\"historyServer\":\"http://history.example.com:18080\"");
    }

    @Test
    void refusesOtherMethods() throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(405);
    }

    @Test
    void withoutOidcSettingsTheUiOffersOnlyTheTokenPrompt() {
        assertThat(UiSettings.NONE.toJson()).containsEntry("oidc", null);
        assertThat(new UiSettings("https://issuer", null, "openid", null).toJson()).containsEntry("oidc", null);
    }
}
