package io.kindling.api.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Path;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The public contract, open to every caller: {@code GET /openapi.yaml} (operation {@code getOpenApi})
 * answers the OpenAPI document as it is in the schemas module, and {@code GET /<name>.schema.json}
 * the JSON Schemas it refers to by relative name, so a tool that loads the document from its URL
 * resolves them. Also: which methods each of the document's paths allows (the {@code Allow}
 * header of a 405).
 */
public final class ContractHandler implements Handler<RoutingContext> {
    public static final String DOCUMENT_PATH = "/" + ApiContract.OPENAPI;
    private static final Pattern SCHEMA_FILE = Pattern.compile("^/([a-z0-9-]{1,64}\\.schema\\.json)$");

    private final Map<String, Buffer> files = new ConcurrentHashMap<>();

    /** True for the paths this handler serves (they need no credential). */
    public static boolean serves(String path) {
        return DOCUMENT_PATH.equals(path) || SCHEMA_FILE.matcher(path).matches();
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        String name;
        String type;
        if (DOCUMENT_PATH.equals(path)) {
            name = ApiContract.OPENAPI;
            type = "application/yaml";
        } else if (SCHEMA_FILE.matcher(path).matches()) {
            name = path.substring(1);
            type = "application/schema+json";
        } else {
            ctx.next();
            return;
        }
        Buffer body = files.computeIfAbsent(name, ContractHandler::read);
        if (body.length() == 0) {
            ctx.next(); // no such schema: 404
            return;
        }
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, type)
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(body);
    }

    private static Buffer read(String name) {
        try (InputStream in = ContractHandler.class.getClassLoader().getResourceAsStream(ApiContract.RESOURCE_DIR + name)) {
            return in == null ? Buffer.buffer() : Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** For a request path, the methods the document allows on it ({@code "GET, POST"}), or null if it has no such path. */
    public static Function<String, String> allowedMethods(OpenAPIContract contract) {
        Map<Pattern, String> allowed = new LinkedHashMap<>();
        for (Path path : contract.getPaths()) {
            TreeSet<String> methods = new TreeSet<>();
            for (Operation operation : path.getOperations()) {
                methods.add(operation.getHttpMethod().name());
            }
            String regex = "^" + java.util.Arrays.stream(path.getName().split("/", -1))
                    .map(segment -> segment.startsWith("{") && segment.endsWith("}") ? "[^/]+" : Pattern.quote(segment))
                    .reduce((a, b) -> a + "/" + b).orElse("") + "$";
            allowed.put(Pattern.compile(regex), String.join(", ", methods));
        }
        return requestPath -> allowed.entrySet().stream()
                .filter(entry -> entry.getKey().matcher(requestPath).matches())
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }
}
