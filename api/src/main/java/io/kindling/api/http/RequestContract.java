package io.kindling.api.http;

import io.kindling.schemas.Violation;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.RequestBody;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The request rules of one operation of the OpenAPI document, applied before its handler: every
 * parameter (path, query, header) against its schema, defaults filled in, and the body's media
 * type, and, unless {@link #bodyReadByHandler() another reader owns it}, the body against its
 * schema. The document is the one place these rules are written; the handler reads the result,
 * {@link ValidRequest#of(RoutingContext)}, and parses nothing again.
 *
 * <p>Vert.x's own request validator is not used: it URL-decodes query, path and header values a
 * second time (a {@code %} in a label or tenant is refused or altered), rebuilds repeated query
 * values into one string it splits again, and reports a bad value without naming it in a form a
 * client can read. Here the values Vert.x decoded once are checked with the same JSON Schema
 * validator (the contract's schema repository), and a refusal has the api's error body:
 * {@link ErrorCode#INVALID_PARAMETER} with {@code details[].field} = the parameter (or form field)
 * name; a JSON body's {@link ErrorCode#SCHEMA_VIOLATION} or {@link ErrorCode#UNKNOWN_FIELD} with
 * {@code details[].field} = its JSON path ({@code $.reason}).
 *
 * <p>Body size limits are not here: the body handler in front of every route refuses an oversized
 * body (413) before any of it is parsed.
 */
public final class RequestContract implements Handler<RoutingContext> {
    private static final Pattern JSON_MEDIA_TYPE = Pattern.compile("application/([a-z0-9.+-]+\\+)?json");
    private static final String MULTIPART = "multipart/form-data";

    /** Validators kept per schema: building one dereferences the schema (a fifth of what a listing allocated). */
    private static final int MAX_VALIDATORS = 256;

    private final Operation operation;
    private final SchemaRepository schemas;
    private final boolean validateBody;
    private final Map<JsonSchema, Validator> validators = new ConcurrentHashMap<>();

    private RequestContract(Operation operation, SchemaRepository schemas, boolean validateBody) {
        this.operation = operation;
        this.schemas = schemas;
        this.validateBody = validateBody;
    }

    /** Every rule of {@code operationId}: its parameters and its body. */
    public static RequestContract of(OpenAPIContract contract, String operationId) {
        Operation operation = contract.operation(operationId);
        if (operation == null) {
            throw new IllegalStateException("the OpenAPI contract has no operation " + operationId);
        }
        return new RequestContract(operation, contract.getSchemaRepository(), true);
    }

    /**
     * The same, but the body's schema is left to the handler's reader: the job spec, whose schema
     * the document refers to ({@code $ref: job-spec.schema.json}) and whose reader names the
     * offending field better than a generic validator. Its media type is still checked here.
     */
    public RequestContract bodyReadByHandler() {
        return new RequestContract(operation, schemas, false);
    }

    public String operationId() {
        return operation.getOperationId();
    }

    @Override
    public void handle(RoutingContext ctx) {
        ValidRequest valid;
        try {
            valid = validate(ctx);
        } catch (ApiException e) {
            ctx.fail(e);
            return;
        }
        ctx.put(ValidRequest.KEY, valid);
        ctx.next();
    }

    private ValidRequest validate(RoutingContext ctx) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        java.util.Set<String> given = new java.util.HashSet<>();
        for (Parameter parameter : operation.getParameters()) {
            List<String> raw = switch (parameter.getIn()) {
                case PATH -> ctx.pathParam(parameter.getName()) == null ? List.of()
                        : List.of(ctx.pathParam(parameter.getName()));
                case QUERY -> ctx.queryParams().getAll(parameter.getName());
                case HEADER -> ctx.request().headers().getAll(parameter.getName());
                case COOKIE -> ctx.request().getCookie(parameter.getName()) == null ? List.of()
                        : List.of(ctx.request().getCookie(parameter.getName()).getValue());
            };
            Object value = parameter(parameter, raw);
            if (value != null) {
                parameters.put(parameter.getName(), value);
            }
            if (!raw.isEmpty()) {
                given.add(parameter.getName());
            }
        }
        return new ValidRequest(parameters, given, body(ctx));
    }

    /** A parameter's value as its schema types it ({@code null} when absent without a default). */
    Object parameter(Parameter parameter, List<String> raw) {
        String name = parameter.getName();
        Object value;
        if (raw.isEmpty()) {
            if (parameter.isRequired()) {
                throw ApiException.invalidParameter(name, "is required");
            }
            value = parameter.getSchema().get("default");
            if (value == null) {
                return null;
            }
        } else if (parameter.getSchemaType() == SchemaType.ARRAY) {
            JsonSchema items = JsonSchema.of(itemsOf(parameter.getSchema()));
            JsonArray array = new JsonArray();
            for (String each : raw) {
                for (String item : parameter.isExplode() ? List.of(each) : List.of(each.split(",", -1))) {
                    array.add(typed(items.get("type"), item));
                }
            }
            value = array;
        } else if (raw.size() > 1) {
            throw ApiException.invalidParameter(name, "must be given once");
        } else {
            value = typed(parameter.getSchema().get("type"), raw.get(0));
        }
        List<Violation> problems = violations(parameter.getSchema(), value, "");
        if (!problems.isEmpty()) {
            throw ApiException.invalidParameter(name, problems.get(0).problem() + ", was '" + shown(raw) + "'");
        }
        return value;
    }

    private static JsonObject itemsOf(JsonSchema schema) {
        return schema.get("items") instanceof JsonObject items ? items : new JsonObject();
    }

    /** A text value as the JSON type its schema states; left as text when it is not one (the schema refuses it). */
    private static Object typed(Object type, String text) {
        try {
            if ("integer".equals(type)) {
                return Long.parseLong(text);
            }
            if ("number".equals(type)) {
                return Double.parseDouble(text);
            }
        } catch (NumberFormatException e) {
            return text;
        }
        if ("boolean".equals(type) && ("true".equals(text) || "false".equals(text))) {
            return Boolean.parseBoolean(text);
        }
        return text;
    }

    private Object body(RoutingContext ctx) {
        RequestBody requestBody = operation.getRequestBody();
        if (requestBody == null) {
            return null;
        }
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        Buffer buffer = ctx.body() == null ? null : ctx.body().buffer();
        boolean multipart = isMultipart(contentType) && requestBody.getContent().containsKey(MULTIPART);
        boolean empty = !multipart && (buffer == null || buffer.length() == 0);
        if (empty && !requestBody.isRequired()) {
            return null;
        }
        MediaType mediaType = mediaType(requestBody, contentType);
        if (multipart) {
            return validateBody ? form(ctx, mediaType.getSchema()) : null;
        }
        if (!validateBody) {
            return null;
        }
        if (empty) {
            throw new ApiException(ErrorCode.SCHEMA_VIOLATION, "a request body is required");
        }
        Object json;
        try {
            json = Json.decodeValue(buffer);
        } catch (DecodeException e) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "malformed JSON: " + e.getMessage());
        }
        List<Violation> problems = violations(mediaType.getSchema(), json, "$");
        if (!problems.isEmpty()) {
            Violation first = problems.get(0);
            throw new ApiException(unknownField(first) ? ErrorCode.UNKNOWN_FIELD : ErrorCode.SCHEMA_VIOLATION,
                    first.field() + ": " + first.problem(), problems);
        }
        return json;
    }

    /** The document's media type of the body sent; 415 naming the ones it accepts if it has none. */
    private static MediaType mediaType(RequestBody body, String contentType) {
        String sent = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        for (Map.Entry<String, MediaType> accepted : body.getContent().entrySet()) {
            boolean json = "application/json".equals(accepted.getKey())
                    && ("application/json".equals(sent) || JSON_MEDIA_TYPE.matcher(sent).matches());
            if (json || accepted.getKey().equals(sent)) {
                return accepted.getValue();
            }
        }
        throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be "
                + String.join(" or ", body.getContent().keySet()) + ", was "
                + (contentType == null ? "missing" : "'" + contentType + "'"));
    }

    private static boolean isMultipart(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, MULTIPART, 0, MULTIPART.length());
    }

    /**
     * A multipart form as its schema sees it: each field by name (its value, or a file part's file
     * name; an array when the name is given more than once). A field the schema does not know is
     * {@link ErrorCode#UNKNOWN_FIELD}, any other refusal {@link ErrorCode#INVALID_PARAMETER}.
     */
    private JsonObject form(RoutingContext ctx, JsonSchema schema) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        ctx.request().formAttributes().forEach(e -> fields.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                .add(e.getValue()));
        for (FileUpload upload : ctx.fileUploads()) {
            fields.computeIfAbsent(upload.name(), k -> new ArrayList<>()).add(upload.fileName());
        }
        JsonObject form = new JsonObject();
        fields.forEach((name, values) -> form.put(name, values.size() == 1 ? values.get(0) : new JsonArray(
                new ArrayList<>(values))));
        List<Violation> problems = violations(schema, form, "");
        if (!problems.isEmpty()) {
            Violation first = problems.get(0);
            ErrorCode code = unknownField(first) ? ErrorCode.UNKNOWN_FIELD : ErrorCode.INVALID_PARAMETER;
            throw new ApiException(code, first.field() + ": " + first.problem(), List.of(first));
        }
        return form;
    }

    /**
     * The schema's refusals of {@code value}, most specific first, each with the JSON path of the
     * offending value under {@code root} ({@code "$"} for a JSON body: {@code $.a.b}; {@code ""}
     * for a parameter or form: the field's name alone).
     */
    /** The operation's schemas are the same objects at every request: each one's validator is built once. */
    private Validator validator(JsonSchema schema) {
        Validator known = validators.get(schema);
        if (known != null) {
            return known;
        }
        Validator built = schemas.validator(schema);
        if (validators.size() < MAX_VALIDATORS) {
            validators.put(schema, built);
        }
        return built;
    }

    private List<Violation> violations(JsonSchema schema, Object value, String root) {
        OutputUnit result = validator(schema).validate(value);
        if (Boolean.TRUE.equals(result.getValid())) {
            return List.of();
        }
        List<OutputUnit> errors = result.getErrors() == null || result.getErrors().isEmpty() ? List.of(result)
                : result.getErrors();
        if (errors.stream().allMatch(e -> isJavaTimeDateTimeCheck(keyword(e.getKeywordLocation()), e.getError())
                || isCombinator(keyword(e.getKeywordLocation())))
                && errors.stream().anyMatch(e -> isJavaTimeDateTimeCheck(keyword(e.getKeywordLocation()), e.getError()))) {
            return List.of(); // only java.time's reading of a date-time failed (see isJavaTimeDateTimeCheck)
        }
        List<Violation> violations = new ArrayList<>();
        for (OutputUnit error : errors) {
            String location = path(root, error.getInstanceLocation());
            String keyword = keyword(error.getKeywordLocation());
            if (isJavaTimeDateTimeCheck(keyword, error.getError())) {
                continue;
            }
            if (isUnknownFieldKeyword(keyword)) {
                // Vert.x reports at the property's own location (and also flags a declared property
                // whose value failed; that one is dropped below, its own failure says more)
                String field = unknownProperty(error.getError());
                String at = field == null || location.endsWith(field) ? location : path(location, "/" + field);
                violations.add(new Violation(at.isEmpty() ? root : at, "unknown field '"
                        + (field == null ? at : field) + "'"));
            } else if ("required".equals(keyword) && unknownProperty(error.getError()) != null) {
                violations.add(new Violation(path(location, "/" + unknownProperty(error.getError())), "is required"));
            } else if (!isCombinator(keyword)) {
                violations.add(new Violation(location.isEmpty() ? root : location, problem(keyword, error.getError())));
            }
        }
        java.util.Set<String> failedOtherwise = new java.util.HashSet<>();
        violations.stream().filter(v -> !unknownField(v)).forEach(v -> failedOtherwise.add(v.field()));
        violations.removeIf(v -> unknownField(v) && failedOtherwise.contains(v.field()));
        if (violations.isEmpty()) {
            violations.add(new Violation(root, result.getError() == null ? "does not match the schema" : result.getError()));
        }
        // the deepest first: it names the field to fix
        violations.sort((a, b) -> Integer.compare(depth(b.field()), depth(a.field())));
        return violations;
    }

    private static int depth(String field) {
        return field.split("[./\\[]", -1).length;
    }

    /** A JSON pointer ({@code #/a/0/b} or {@code /a/0/b}) as a path under {@code root}: {@code $.a[0].b}. */
    private static String path(String root, String pointer) {
        StringBuilder path = new StringBuilder(root);
        if (pointer == null) {
            return root;
        }
        String rest = pointer.startsWith("#") ? pointer.substring(1) : pointer;
        for (String segment : rest.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            String name = segment.replace("~1", "/").replace("~0", "~");
            if (name.chars().allMatch(Character::isDigit)) {
                path.append('[').append(name).append(']');
            } else {
                path.append(path.isEmpty() ? "" : ".").append(name);
            }
        }
        return path.toString();
    }

    private static String keyword(String keywordLocation) {
        if (keywordLocation == null) {
            return "";
        }
        int slash = keywordLocation.lastIndexOf('/');
        return slash < 0 ? keywordLocation : keywordLocation.substring(slash + 1);
    }

    /**
     * Vert.x checks {@code format: date-time} with java.time, which refuses offsets past 18:00 that
     * RFC 3339 allows ({@code +23:06}); such a value is read, and a bad one refused naming the
     * parameter, where it is used ({@link ListJobsQuery#rfc3339}).
     */
    private static boolean isJavaTimeDateTimeCheck(String keyword, String error) {
        return "format".equals(keyword) && error != null && error.contains("date-time");
    }

    private static boolean isUnknownFieldKeyword(String keyword) {
        return "additionalProperties".equals(keyword) || "unevaluatedProperties".equals(keyword)
                || "false".equals(keyword);
    }

    /** A keyword whose failure only says that one under it failed (reported on its own). */
    private static boolean isCombinator(String keyword) {
        return switch (keyword) {
            case "allOf", "anyOf", "oneOf", "properties", "items", "prefixItems", "$ref", "then", "else" -> true;
            default -> false;
        };
    }

    private static boolean unknownField(Violation violation) {
        return violation.problem().startsWith("unknown field");
    }

    /** The property an {@code additionalProperties} or {@code required} error names ("... 'x' ..."), if it names one. */
    private static String unknownProperty(String error) {
        if (error == null) {
            return null;
        }
        java.util.regex.Matcher quoted = Pattern.compile("['\"]([^'\"]+)['\"]").matcher(error);
        return quoted.find() ? quoted.group(1) : null;
    }

    private static String problem(String keyword, String error) {
        String text = error == null || error.isBlank() ? "breaks the rule '" + keyword + "'" : error;
        return keyword.isEmpty() || text.contains(keyword) ? text : text + " (" + keyword + ")";
    }

    private static String shown(List<String> raw) {
        String joined = String.join(",", raw);
        String shown = joined.length() > 100 ? joined.substring(0, 100) + "..." : joined;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
