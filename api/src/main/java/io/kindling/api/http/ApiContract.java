package io.kindling.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads the api's OpenAPI document ({@value #OPENAPI}) and the JSON Schemas it refers to from
 * the schemas module's jar.
 *
 * <p>The document refers to the schemas beside it by relative name ({@code job-spec.schema.json}).
 * Vert.x looks external schemas up only by absolute URI, and files each schema under its
 * {@code $id} ({@value #SCHEMA_BASE}...), so relative references are resolved against that base
 * here, as a file-based tool would resolve them against the document's directory, in the
 * document and in the schemas it loads (job-event.schema.json refers to job-spec.schema.json).
 */
public final class ApiContract {
    public static final String RESOURCE_DIR = "io/kindling/schemas/";
    public static final String OPENAPI = "openapi.yaml";
    /** The base of every schema's {@code $id}. */
    public static final String SCHEMA_BASE = "https://kindling.io/schemas/";

    private ApiContract() {
    }

    /** The document as it is on the classpath (read once; the copy given to Vert.x is adapted). */
    private static final class Document {
        static final JsonObject DOCUMENT = read(OPENAPI, new ObjectMapper(new YAMLFactory()));
    }

    /**
     * A number a parameter's schema states ({@code maximum}, {@code default}, {@code maxLength}...):
     * the one place each limit of the api is written is the document; the code reads it from there.
     */
    public static long parameterLimit(String operationId, String parameter, String keyword) {
        JsonObject paths = Document.DOCUMENT.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            JsonObject operations = paths.getJsonObject(path);
            for (String method : operations.fieldNames()) {
                if (operations.getValue(method) instanceof JsonObject operation
                        && operationId.equals(operation.getString("operationId"))) {
                    for (Object item : operation.getJsonArray("parameters", new JsonArray())) {
                        JsonObject resolved = resolveLocal((JsonObject) item);
                        if (parameter.equals(resolved.getString("name"))) {
                            return number(resolved.getJsonObject("schema"), operationId + " " + parameter, keyword);
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("the OpenAPI document has no parameter " + parameter + " of " + operationId);
    }

    private static long number(JsonObject schema, String what, String keyword) {
        if (schema == null || !(schema.getValue(keyword) instanceof Number value)) {
            throw new IllegalStateException("the OpenAPI document states no " + keyword + " for " + what);
        }
        return value.longValue();
    }

    private static JsonObject resolveLocal(JsonObject node) {
        String ref = node.getString("$ref");
        if (ref == null || !ref.startsWith("#/")) {
            return node;
        }
        JsonObject target = Document.DOCUMENT;
        for (String segment : ref.substring(2).split("/")) {
            target = target.getJsonObject(segment);
        }
        return target;
    }

    /** The contract and the schemas it refers to, keyed by absolute URI. */
    private record Documents(JsonObject contract, Map<String, JsonObject> schemas) {
    }

    public static Future<OpenAPIContract> load(Vertx vertx) {
        return vertx.executeBlocking(ApiContract::read)
                .compose(docs -> OpenAPIContract.from(vertx, docs.contract(), docs.schemas()));
    }

    private static Documents read() {
        JsonObject contract = read(OPENAPI, new ObjectMapper(new YAMLFactory()));
        Map<String, JsonObject> schemas = new TreeMap<>();
        resolveRelativeRefs(contract, schemas);
        dropUnmodelledResponseTypes(contract);
        dropSecurityRequirements(contract);
        return new Documents(contract, schemas);
    }

    /**
     * Removes, from the copy given to Vert.x, the security requirements (global and per
     * operation): authentication is {@code AuthHandler}'s, in front of every route, and the
     * router would otherwise add an empty authentication chain of its own. The document keeps them.
     */
    static void dropSecurityRequirements(JsonObject contract) {
        contract.remove("security");
        JsonObject paths = contract.getJsonObject("paths", new JsonObject());
        for (String path : paths.fieldNames()) {
            JsonObject operations = paths.getJsonObject(path);
            for (String method : operations.fieldNames()) {
                if (operations.getValue(method) instanceof JsonObject operation) {
                    operation.remove("security");
                }
            }
        }
    }

    /**
     * Removes, from the copy given to Vert.x, the response media types its contract model refuses
     * ({@code text/event-stream}, {@code application/zip}, ...). The router never validates
     * responses, so nothing changes but that the document can be loaded; the document itself
     * keeps them.
     */
    static void dropUnmodelledResponseTypes(JsonObject contract) {
        JsonObject paths = contract.getJsonObject("paths", new JsonObject());
        for (String path : paths.fieldNames()) {
            JsonObject operations = paths.getJsonObject(path);
            for (String method : operations.fieldNames()) {
                if (!(operations.getValue(method) instanceof JsonObject operation)
                        || !(operation.getValue("responses") instanceof JsonObject responses)) {
                    continue;
                }
                for (String status : responses.fieldNames()) {
                    if (responses.getValue(status) instanceof JsonObject response
                            && response.getValue("content") instanceof JsonObject content) {
                        content.fieldNames().removeIf(type -> !MediaType.isMediaTypeSupported(type));
                        if (content.isEmpty()) {
                            response.remove("content");
                        }
                    }
                }
            }
        }
    }

    /** Rewrites each relative {@code $ref} to an absolute one and loads the schema it names. */
    private static void resolveRelativeRefs(Object node, Map<String, JsonObject> schemas) {
        if (node instanceof JsonObject object) {
            for (String key : object.fieldNames()) {
                Object value = object.getValue(key);
                if ("$ref".equals(key) && value instanceof String ref && isRelativeFile(ref)) {
                    String file = ref.split("#", 2)[0];
                    object.put(key, SCHEMA_BASE + ref);
                    if (!schemas.containsKey(SCHEMA_BASE + file)) {
                        JsonObject schema = read(file, new ObjectMapper());
                        schemas.put(SCHEMA_BASE + file, schema);
                        resolveRelativeRefs(schema, schemas); // a schema may refer to another beside it
                    }
                } else {
                    resolveRelativeRefs(value, schemas);
                }
            }
        } else if (node instanceof JsonArray array) {
            for (Object item : array) {
                resolveRelativeRefs(item, schemas);
            }
        }
    }

    private static boolean isRelativeFile(String ref) {
        return !ref.startsWith("#") && !ref.contains(":");
    }

    private static JsonObject read(String name, ObjectMapper mapper) {
        String resource = RESOURCE_DIR + name;
        try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI contract is incomplete: " + resource + " is not on the classpath");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = mapper.readValue(in, Map.class);
            return new JsonObject(map);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
