package io.kindling.api.ui;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Serves the web UI under {@code /ui/}: the files the {@code ui} module built into the classpath
 * at {@code io/kindling/ui/}, {@code /ui/config.json} (the UI's sign-in settings), and
 * {@code index.html} for any other path under {@code /ui/} (the UI routes in the browser).
 * {@code /ui} redirects to {@code /ui/}. Fingerprinted files under {@code assets/} are cached for a
 * year; everything else is revalidated. Files are read once, off the event loop, and kept in memory
 * (the whole UI is a few hundred KiB).
 */
public final class UiHandler implements Handler<RoutingContext> {
    public static final String PREFIX = "/ui";
    private static final String ROOT = "io/kindling/ui/";
    private static final Pattern SAFE = Pattern.compile("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$");
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final String REVALIDATE = "no-cache";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "json", "application/json", "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon",
            "woff2", "font/woff2", "txt", "text/plain; charset=utf-8", "map", "application/json");
    private static final String NOT_BUILT = "<!doctype html><title>Kindling</title><h1>The web UI was not built</h1>"
            + "<p>Build the <code>ui</code> module (it needs npm), e.g. <code>./mvnw -pl api -am install -DskipTests</code>.</p>";

    private final Vertx vertx;
    private final ClassLoader loader;
    private final Buffer config;
    private final String contentSecurityPolicy;
    private final ConcurrentHashMap<String, Optional<Buffer>> files = new ConcurrentHashMap<>();

    public UiHandler(Vertx vertx, UiSettings settings) {
        this(vertx, settings, UiHandler.class.getClassLoader());
    }

    UiHandler(Vertx vertx, UiSettings settings, ClassLoader loader) {
        this.vertx = vertx;
        this.loader = loader;
        this.config = new JsonObject(settings.toJson()).toBuffer();
        // the UI talks to its own origin, and to the OIDC issuer when it signs in there
        String issuer = settings.oidcIssuer() == null ? "" : " " + originOf(settings.oidcIssuer());
        this.contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                + "connect-src 'self'" + issuer + "; frame-ancestors 'none'; base-uri 'self'; form-action 'self'" + issuer;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
            ctx.next(); // e.g. /uix: not ours
            return;
        }
        HttpMethod method = ctx.request().method();
        if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
            ctx.response().setStatusCode(405).putHeader(HttpHeaders.ALLOW, "GET, HEAD").end();
            return;
        }
        if (path.equals(PREFIX)) {
            String query = ctx.request().query();
            ctx.response().setStatusCode(301).putHeader(HttpHeaders.LOCATION, PREFIX + "/" + (query == null ? "" : "?" + query)).end();
            return;
        }
        String file = path.substring(PREFIX.length() + 1);
        if (file.equals("config.json")) {
            send(ctx, config, "json", REVALIDATE);
            return;
        }
        if (file.isEmpty() || !SAFE.matcher(file).matches() || file.contains("..")) {
            file = "index.html";
        }
        String name = file;
        load(name)
                .compose(found -> found.isPresent() || name.startsWith("assets/") || name.equals("index.html")
                        ? Future.succeededFuture(found.map(b -> new Resolved(name, b)))
                        : load("index.html").map(index -> index.map(b -> new Resolved("index.html", b)))) // a route of the UI
                .onSuccess(resolved -> {
                    if (resolved.isPresent()) {
                        Resolved r = resolved.get();
                        send(ctx, r.bytes(), extension(r.name()), r.name().startsWith("assets/") ? IMMUTABLE : REVALIDATE);
                    } else if (name.startsWith("assets/")) {
                        ctx.next(); // 404 from the router's error handler
                    } else {
                        ctx.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, TYPES.get("html")).end(NOT_BUILT);
                    }
                })
                .onFailure(ctx::fail);
    }

    private record Resolved(String name, Buffer bytes) {
    }

    private Future<Optional<Buffer>> load(String name) {
        Optional<Buffer> cached = files.get(name);
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        return vertx.executeBlocking(() -> files.computeIfAbsent(name, this::read));
    }

    private Optional<Buffer> read(String name) {
        try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
            return in == null ? Optional.empty() : Optional.of(Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the UI file " + name, e);
        }
    }

    private void send(RoutingContext ctx, Buffer body, String extension, String cacheControl) {
        HttpServerResponse response = ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, TYPES.getOrDefault(extension, "application/octet-stream"))
                .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer");
        if ("html".equals(extension)) {
            response.putHeader("Content-Security-Policy", contentSecurityPolicy);
        }
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Integer.toString(body.length())).end();
        } else {
            response.end(body);
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String originOf(String url) {
        try {
            java.net.URI uri = java.net.URI.create(url);
            return uri.getScheme() + "://" + uri.getAuthority();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
