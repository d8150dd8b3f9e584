package io.kindling.dispatcher.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.AttemptId;
import io.kindling.schemas.AttemptReport;
import io.kindling.schemas.CancelJob;
import io.kindling.schemas.InvalidMessageException;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.Names;
import io.kindling.schemas.SchemaValidator;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Topics;
import io.kindling.schemas.Violation;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads untrusted records from the commands and reports topics into {@link Input}s. Never throws:
 * anything unreadable becomes {@link Input.Invalid}, with the job id when one could be read.
 */
public final class InputReader {
    private final MessageReader commands;
    private final SchemaValidator validator;
    private final Topics topics;

    /** {@code topics} names the tenant commands topics, whose records get the topic's tenant; null: none. */
    public InputReader(MessageReader commands, SchemaValidator validator, Topics topics) {
        this.commands = commands;
        this.validator = validator;
        this.topics = topics;
    }

    public InputReader(MessageReader commands, SchemaValidator validator) {
        this(commands, validator, null);
    }

    public InputReader(Topics topics) {
        this(new MessageReader(), new SchemaValidator(), topics);
    }

    public InputReader() {
        this(new MessageReader(), new SchemaValidator(), null);
    }

    /**
     * A record of the commands topic or of a tenant commands topic. On a tenant's topic the job's
     * tenant is the topic's: a spec that names another tenant (field or {@code tenant} label) is
     * invalid, one that names none gets the topic's, and a cancel acts only on that tenant's jobs.
     */
    public Input command(Origin origin) {
        // the prefix first: matching the tenant topics' pattern compiles it, and jobs.commands never matches
        Optional<String> tenant = topics == null || !origin.topic().startsWith(topics.tenantCommandsPrefix())
                ? Optional.empty() : topics.tenantOfCommands(origin.topic());
        byte[] bytes = origin.value();
        if (tenant.isPresent()) {
            Object forced = forceTenant(origin, tenant.get());
            if (forced instanceof Input.Invalid invalid) {
                return invalid;
            }
            bytes = (byte[]) forced;
        }
        JobCommand command;
        try {
            command = commands.readCommand(bytes);
        } catch (InvalidMessageException e) {
            return new Input.Invalid(origin, e.jobId().orElse(null), e.code().name(), e.getMessage(), e.details());
        } catch (RuntimeException e) {
            return new Input.Invalid(origin, null, "INVALID", "unreadable command: " + e.getMessage(), List.of());
        }
        if (origin.key() != null && !origin.key().equals(command.jobId())) {
            String message = "record key '" + origin.key() + "' is not the job id '" + command.jobId()
                    + "'; a job's commands must be keyed by its id so they stay ordered";
            return new Input.Invalid(origin, command.jobId(), "INVALID", message, List.of(new Violation("$.jobId", message)));
        }
        return switch (command) {
            case SubmitJob submit -> new Input.Submit(submit, origin);
            case CancelJob cancel -> new Input.Cancel(cancel, origin, tenant.orElse(null));
        };
    }

    /**
     * The bytes to read for a record of {@code tenant}'s commands topic: a submit's spec with its
     * {@code tenant} set to the topic's, or an {@link Input.Invalid} when the spec names another
     * tenant. Anything unreadable is returned as it is, for {@link MessageReader} to reject.
     */
    private static Object forceTenant(Origin origin, String tenant) {
        byte[] bytes = origin.value();
        if (bytes == null || bytes.length == 0 || bytes.length > MessageReader.DEFAULT_MAX_BYTES) {
            return bytes;
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (IOException | RuntimeException e) {
            return bytes;
        }
        if (node == null || !node.isObject() || !(node.get("spec") instanceof ObjectNode spec)) {
            return bytes;
        }
        String jobId = node.path("jobId").isTextual() ? node.get("jobId").asText() : null;
        for (Map.Entry<String, JsonNode> named : Map.of("$.spec.tenant", spec.path("tenant"),
                "$.spec.labels.tenant", spec.path("labels").path(io.kindling.schemas.JobSpec.TENANT_LABEL)).entrySet()) {
            if (!named.getValue().isMissingNode() && !named.getValue().asText().equals(tenant)) {
                String message = "this topic takes jobs of tenant '" + tenant + "' only; " + named.getKey()
                        + " names '" + named.getValue().asText() + "'";
                return new Input.Invalid(origin, jobId, "FORBIDDEN", message, List.of(new Violation(named.getKey(), message)));
            }
        }
        spec.put("tenant", tenant);
        try {
            return Json.mapper().writeValueAsBytes(node);
        } catch (IOException e) {
            return bytes;
        }
    }

    /** A record of the reports topic. Invalid reports are dead-lettered only: they never reject a job. */
    public Input report(Origin origin) {
        byte[] bytes = origin.value();
        if (bytes == null || bytes.length == 0 || bytes.length > MessageReader.DEFAULT_MAX_BYTES) {
            return invalidReport(origin, bytes == null || bytes.length == 0 ? "MALFORMED_JSON" : "TOO_LARGE",
                    bytes == null || bytes.length == 0 ? "empty report" : "report is " + bytes.length + " bytes", List.of());
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            return invalidReport(origin, "MALFORMED_JSON", "malformed JSON: " + e.getMessage(), List.of());
        }
        if (node == null || !node.isObject()) {
            return invalidReport(origin, "MALFORMED_JSON", "expected a JSON object", List.of());
        }
        List<Violation> violations = validator.validate(SchemaValidator.Schema.ATTEMPT_REPORT, node);
        if (!violations.isEmpty()) {
            return invalidReport(origin, "SCHEMA_VIOLATION",
                    violations.get(0).field() + ": " + violations.get(0).problem(), violations);
        }
        AttemptReport report;
        try {
            report = Json.convert(node, AttemptReport.class);
        } catch (IllegalArgumentException e) {
            return invalidReport(origin, "SCHEMA_VIOLATION", e.getMessage(), List.of());
        }
        if (!Names.isJobId(report.jobId()) || !report.attemptId().equals(AttemptId.of(report.jobId(), report.attempt()))) {
            return invalidReport(origin, "INVALID", "attemptId '" + report.attemptId() + "' is not attempt "
                    + report.attempt() + " of job '" + report.jobId() + "'", List.of(new Violation("$.attemptId", "mismatch")));
        }
        if (origin.key() != null && !origin.key().equals(report.jobId())) {
            return invalidReport(origin, "INVALID", "record key '" + origin.key() + "' is not the job id '"
                    + report.jobId() + "'", List.of(new Violation("$.jobId", "must equal the record key")));
        }
        return new Input.Report(report, origin);
    }

    private static Input invalidReport(Origin origin, String code, String message, List<Violation> details) {
        return new Input.Invalid(origin, null, code, message, details);
    }
}
