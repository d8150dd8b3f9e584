package io.kindling.api.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request as {@link RequestContract} checked it: each parameter given (or defaulted by the
 * document) typed as its schema says, and the body when the contract read it (a JSON value, or a
 * multipart form's fields). Handlers read their input here and parse nothing again.
 */
public record ValidRequest(Map<String, Object> parameters, Set<String> given, Object body) {
    static final String KEY = "kindling.validRequest";

    /** @param given the parameters the request named (the others in {@code parameters} are the document's defaults) */
    public ValidRequest {
        parameters = Map.copyOf(parameters);
        given = Set.copyOf(given);
    }

    /** Every parameter as given by the request. */
    public ValidRequest(Map<String, Object> parameters, Object body) {
        this(parameters, parameters.keySet(), body);
    }

    /** True if the request named the parameter (not only the document's default). */
    public boolean isGiven(String name) {
        return given.contains(name);
    }

    /** The request the route's {@link RequestContract} checked. */
    public static ValidRequest of(RoutingContext ctx) {
        ValidRequest valid = ctx.get(KEY);
        if (valid == null) {
            throw new IllegalStateException("no RequestContract checked " + ctx.request().method() + " "
                    + ctx.normalizedPath());
        }
        return valid;
    }

    /** A string parameter; null if absent. */
    public String string(String name) {
        return parameters.get(name) instanceof String value ? value : null;
    }

    /** An integer parameter; null if absent. */
    public Long integer(String name) {
        return parameters.get(name) instanceof Number value ? value.longValue() : null;
    }

    /** A boolean parameter; false if absent. */
    public boolean flag(String name) {
        return Boolean.TRUE.equals(parameters.get(name));
    }

    /** An array parameter's items as text (empty if absent). */
    public List<String> strings(String name) {
        if (parameters.get(name) instanceof JsonArray array) {
            return array.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    /** The body as a JSON object (null without a body, or when the body is not the contract's to read). */
    public JsonObject object() {
        return body instanceof JsonObject object ? object : null;
    }
}
