package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kindling.api.auth.Access;
import io.kindling.api.auth.Principal;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One streaming route on a real Vert.x server on a port from the OS, acting as the anonymous admin, with the
 * api's error responses, and a JDK client that reads its Server-Sent Events line by line. Shared by the
 * stream handler tests; close it in {@code @AfterEach}.
 */
final class StreamRouteServer implements AutoCloseable {
    private static final long WAIT_SECONDS = 10;

    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    private StreamRouteServer(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /** Starts a server answering GET {@code route} with {@code handler}. */
    static StreamRouteServer serving(String route, Handler<RoutingContext> handler) throws Exception {
        Vertx vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.route().handler(Access.actingAs(Principal.ANONYMOUS_ADMIN));
        router.get(route).handler(handler).failureHandler(new ErrorResponses(1024));
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        return new StreamRouteServer(vertx, server);
    }

    /** The whole response to GET {@code pathAndQuery}. */
    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(request(pathAndQuery), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Opens the stream at {@code pathAndQuery}, asserts it answered 200 with {@code text/event-stream}, and adds
     * each line to {@code lines} on another thread; the future completes when the server ends the stream.
     */
    CompletableFuture<Void> open(String pathAndQuery, List<String> lines) throws Exception {
        HttpResponse<Stream<String>> response = http.send(request(pathAndQuery), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        return CompletableFuture.runAsync(() -> response.body().forEach(lines::add));
    }

    /** Shuts the server down gracefully (open streams get up to 5 s) and waits for it. */
    void shutdown() throws Exception {
        server.shutdown(5, TimeUnit.SECONDS).toCompletionStage().toCompletableFuture()
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private HttpRequest request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + pathAndQuery)).build();
    }

    @Override
    public void close() throws Exception {
        // the server first: a stream still open would keep HttpClient.close() waiting
        vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        http.shutdownNow();
        http.close();
    }
}
