package io.kindling.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.schemas.InvalidMessageException.Code;
import io.kindling.schemas.SchemaValidator.Schema;
import java.io.IOException;
import java.util.List;

/**
 * Reads untrusted bytes (an HTTP body, a record from a producer) into a message, with one set of
 * rules wherever it came from: size limit, well-formed JSON, the JSON Schema, then the checks a
 * schema cannot express. Thread-safe.
 */
public final class MessageReader {
    /** Largest message accepted on Kafka: {@link MessageLimits#COMMAND_BYTES} (HTTP bodies: {@link MessageLimits#SPEC_BYTES}). */
    public static final int DEFAULT_MAX_BYTES = MessageLimits.COMMAND_BYTES;

    private final SchemaValidator validator;
    private final int maxBytes;

    public MessageReader(SchemaValidator validator, int maxBytes) {
        this.validator = validator;
        this.maxBytes = maxBytes;
    }

    public MessageReader() {
        this(new SchemaValidator(), DEFAULT_MAX_BYTES);
    }

    /** A job spec as submitted over HTTP. */
    public JobSpec readJobSpec(byte[] bytes) {
        JsonNode node = parse(bytes);
        requireValid(Schema.JOB_SPEC, node, null);
        return checked(Json.convert(node, JobSpec.class), null);
    }

    /** A command as found on the commands topic. */
    public JobCommand readCommand(byte[] bytes) {
        JsonNode node = parse(bytes);
        String jobId = readableJobId(node);
        JsonNode type = node.get("type");
        Schema schema;
        if (type != null && "submit".equals(type.asText())) {
            schema = Schema.SUBMIT_JOB;
        } else if (type != null && "cancel".equals(type.asText())) {
            schema = Schema.CANCEL_JOB;
        } else {
            throw new InvalidMessageException(Code.SCHEMA_VIOLATION,
                    "field 'type' must be \"submit\" or \"cancel\"",
                    List.of(new Violation("$.type", "must be \"submit\" or \"cancel\"")), jobId);
        }
        requireValid(schema, node, jobId);
        JobCommand command = Json.convert(node, JobCommand.class);
        if (command instanceof SubmitJob submit) {
            checked(submit.spec(), jobId);
        }
        return command;
    }

    /**
     * A record of a topic Kindling writes itself (run assignments, controls), read by the same rules:
     * size, well-formed JSON, then {@code schema}; the job id, when readable, is in the exception.
     */
    public <T> T read(byte[] bytes, Schema schema, Class<T> type) {
        JsonNode node = parse(bytes);
        String jobId = readableJobId(node);
        requireValid(schema, node, jobId);
        try {
            return Json.convert(node, type);
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException(Code.SCHEMA_VIOLATION, e.getMessage(), List.of(), jobId);
        }
    }

    private JsonNode parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidMessageException(Code.MALFORMED_JSON, "empty body: expected a JSON object", List.of(), null);
        }
        if (bytes.length > maxBytes) {
            throw new InvalidMessageException(Code.TOO_LARGE,
                    "message is " + bytes.length + " bytes; the limit is " + maxBytes, List.of(), null);
        }
        try {
            JsonNode node = Json.mapper().readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new InvalidMessageException(Code.MALFORMED_JSON, "expected a JSON object", List.of(), null);
            }
            return node;
        } catch (JsonProcessingException e) {
            // a limit of the parser (nesting depth, number length) has no location
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new InvalidMessageException(Code.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage() + where,
                    List.of(), null);
        } catch (IOException | RuntimeException e) {
            throw new InvalidMessageException(Code.MALFORMED_JSON, "malformed JSON: " + e.getMessage(), List.of(), null);
        }
    }

    private void requireValid(Schema schema, JsonNode node, String jobId) {
        List<Violation> violations = validator.validate(schema, node);
        if (violations.isEmpty()) {
            return;
        }
        boolean allUnknown = violations.stream().allMatch(SchemaValidator::isUnknownField);
        Code code = allUnknown ? Code.UNKNOWN_FIELD : Code.SCHEMA_VIOLATION;
        Violation first = violations.get(0);
        String message = first.field() + ": " + first.problem()
                + (violations.size() > 1 ? " (and " + (violations.size() - 1) + " more problem(s))" : "");
        throw new InvalidMessageException(code, message, violations, jobId);
    }

    /** Rules the schema cannot say well enough to give a clear message. */
    private static JobSpec checked(JobSpec spec, String jobId) {
        Application app = spec.application();
        if (app.type() == ApplicationType.PYTHON && app.mainClass() != null) {
            throw new InvalidMessageException(Code.SCHEMA_VIOLATION,
                    "$.application.mainClass: only a jvm application takes a mainClass",
                    List.of(new Violation("$.application.mainClass", "only a jvm application takes a mainClass")), jobId);
        }
        if (app.file() != null && app.file().isBlank()) {
            throw new InvalidMessageException(Code.SCHEMA_VIOLATION, "$.application.file: must not be blank",
                    List.of(new Violation("$.application.file", "must not be blank")), jobId);
        }
        return spec;
    }

    private static String readableJobId(JsonNode node) {
        JsonNode id = node.get("jobId");
        if (id != null && id.isTextual() && Names.isJobId(id.asText())) {
            return id.asText();
        }
        return null;
    }
}
