package io.kindling.api.sessions;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A session as a job: the one owner of how a {@code POST /v1/sessions} request becomes a job spec
 * and of what the api reads back from the job. The job runs application {@code spark-connect};
 * its {@code timeoutSeconds} is the session's maximum lifetime; its retry policy retries only
 * submission failures; the idle timeout and the session mark are reserved labels
 * ({@value #PREFIX}...), which callers may not set on a session or a job.
 */
public final class SessionSpecs {
    /** The prefix of the labels only the api sets. */
    public static final String PREFIX = "kindling.io/";
    /** Marks a job as a session (value {@code true}): sessions are listed by it. */
    public static final String SESSION_LABEL = PREFIX + "session";
    public static final String IDLE_TIMEOUT_LABEL = PREFIX + "idle-timeout-seconds";
    public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 1800;
    public static final int DEFAULT_MAX_LIFETIME_SECONDS = 8 * 3600;
    /** Attempts a session's server may take to start (each a submission failure). */
    static final int SUBMISSION_ATTEMPTS = 3;

    private SessionSpecs() {
    }

    /**
     * The job spec (as JSON, for the dispatcher's own reader to validate) of a session request the
     * document has checked: {@code pool}, {@code conf}, {@code labels}, {@code idleTimeoutSeconds},
     * {@code maxLifetimeSeconds}, {@code tenant}.
     */
    public static byte[] jobSpec(JsonObject request) {
        ObjectNode spec = Json.mapper().createObjectNode();
        spec.put("name", "session");
        if (request.getValue("pool") instanceof String pool) {
            spec.put("pool", pool);
        }
        if (request.getValue("tenant") instanceof String tenant) {
            spec.put("tenant", tenant);
        }
        spec.putObject("application").put("type", "spark-connect");
        if (request.getValue("conf") instanceof JsonObject conf) {
            spec.set("conf", Json.mapper().valueToTree(conf.getMap()));
        }
        ObjectNode labels = spec.putObject("labels");
        if (request.getValue("labels") instanceof JsonObject given) {
            labels.setAll((ObjectNode) Json.mapper().valueToTree(given.getMap()));
        }
        labels.put(SESSION_LABEL, "true");
        labels.put(IDLE_TIMEOUT_LABEL, Integer.toString(integer(request, "idleTimeoutSeconds", DEFAULT_IDLE_TIMEOUT_SECONDS)));
        spec.put("timeoutSeconds", integer(request, "maxLifetimeSeconds", DEFAULT_MAX_LIFETIME_SECONDS));
        ObjectNode retry = spec.putObject("retry");
        retry.put("maxAttempts", 1);
        retry.put("maxSubmissionAttempts", SUBMISSION_ATTEMPTS);
        ArrayNode on = retry.putArray("retryOn");
        on.add(FailureReason.SUBMISSION_FAILED.name());
        return Json.encode(spec);
    }

    private static int integer(JsonObject request, String field, int fallback) {
        return request.getValue(field) instanceof Number n ? n.intValue() : fallback;
    }

    /** The first label key of {@code labels} reserved for the api ({@value #PREFIX}...), if any. */
    public static Optional<String> reservedLabel(Map<String, String> labels) {
        return labels.keySet().stream().filter(key -> key.startsWith(PREFIX)).sorted().findFirst();
    }

    /** True if the job is a session: it carries the session label (set only by the api) or runs spark-connect. */
    public static boolean isSession(JobView view, Optional<JobSpec> spec) {
        return "true".equals(view.labels().get(SESSION_LABEL))
                || spec.map(s -> s.application() != null && s.application().type() == ApplicationType.SPARK_CONNECT)
                        .orElse(false);
    }

    /** The session's idle timeout in seconds (the default if the label is missing or unreadable). */
    public static int idleTimeoutSeconds(JobView view) {
        String value = view.labels().get(IDLE_TIMEOUT_LABEL);
        try {
            return value == null ? DEFAULT_IDLE_TIMEOUT_SECONDS : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return DEFAULT_IDLE_TIMEOUT_SECONDS;
        }
    }

    /** The labels the caller gave (the reserved ones left out). */
    public static Map<String, String> userLabels(Map<String, String> labels) {
        Map<String, String> user = new TreeMap<>(labels);
        user.keySet().removeIf(key -> key.startsWith(PREFIX));
        return user;
    }
}
