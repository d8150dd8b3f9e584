package io.kindling.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validates JSON against the schemas shipped in this module (classpath {@code io/kindling/schemas/}).
 * One instance serves every thread; the schemas are loaded once.
 */
public final class SchemaValidator {

    /** The message schemas. */
    public enum Schema {
        JOB_SPEC("job-spec.schema.json"),
        SUBMIT_JOB("submit-job.schema.json"),
        CANCEL_JOB("cancel-job.schema.json"),
        RUN_ASSIGNMENT("run-assignment.schema.json"),
        JOB_EVENT("job-event.schema.json"),
        DEAD_LETTER("dead-letter.schema.json"),
        ATTEMPT_REPORT("attempt-report.schema.json"),
        WORKER_CONTROL("worker-control.schema.json");

        private final String file;

        Schema(String file) {
            this.file = file;
        }

        public String file() {
            return file;
        }
    }

    static final String ID_PREFIX = "https://kindling.io/schemas/";
    private static final String CLASSPATH_PREFIX = "classpath:io/kindling/schemas/";

    private final Map<Schema, JsonSchema> schemas = new EnumMap<>(Schema.class);

    public SchemaValidator() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaMappers(m -> m.mapPrefix(ID_PREFIX, CLASSPATH_PREFIX)));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(com.networknt.schema.PathType.JSON_PATH)
                .build();
        for (Schema s : Schema.values()) {
            JsonSchema schema = factory.getSchema(SchemaLocation.of(ID_PREFIX + s.file()), config);
            schema.initializeValidators();
            schemas.put(s, schema);
        }
    }

    /** The problems with {@code node} against {@code schema}, sorted by field; empty when valid. */
    public List<Violation> validate(Schema schema, JsonNode node) {
        Set<ValidationMessage> messages;
        try {
            messages = schemas.get(schema).validate(node);
        } catch (IllegalArgumentException e) {
            // the validator cannot even name the place of a property whose name is empty ("" in a
            // propertyNames-checked map): no schema of ours allows one
            return List.of(new Violation("$", "a property name is empty, which no field allows"));
        }
        return messages.stream()
                .map(SchemaValidator::toViolation)
                .distinct()
                .sorted(Comparator.comparing(Violation::field).thenComparing(Violation::problem))
                .toList();
    }

    private static Violation toViolation(ValidationMessage m) {
        String location = m.getInstanceLocation().toString();
        String property = m.getProperty();
        boolean namesChild = property != null
                && ("required".equals(m.getType()) || "additionalProperties".equals(m.getType()));
        String field = namesChild ? location + "." + property : location;
        String problem = m.getMessage();
        String prefix = location + ": ";
        if (problem.startsWith(prefix)) {
            problem = problem.substring(prefix.length());
        }
        if ("additionalProperties".equals(m.getType())) {
            problem = "unknown field '" + property + "' (not in the schema)";
        } else if ("required".equals(m.getType())) {
            problem = "required field '" + property + "' is missing";
        }
        return new Violation(field, problem);
    }

    static boolean isUnknownField(Violation v) {
        return v.problem().startsWith("unknown field");
    }
}
