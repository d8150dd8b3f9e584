package io.kindling.schemas;

import java.util.List;
import java.util.Optional;

/**
 * A message (HTTP body or Kafka record) that is not acceptable. Carries a machine-readable code,
 * a message naming the problem, the offending fields, and the job id when it could be read.
 */
public final class InvalidMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a message was refused. */
    public enum Code { MALFORMED_JSON, SCHEMA_VIOLATION, UNKNOWN_FIELD, TOO_LARGE, INVALID }

    private final Code code;
    private final transient List<Violation> details;
    private final String jobId;

    public InvalidMessageException(Code code, String message, List<Violation> details, String jobId) {
        super(message);
        this.code = code;
        this.details = List.copyOf(details);
        this.jobId = jobId;
    }

    public Code code() {
        return code;
    }

    public List<Violation> details() {
        return details;
    }

    /** The job id, when the message was readable enough to name one. */
    public Optional<String> jobId() {
        return Optional.ofNullable(jobId);
    }

    InvalidMessageException withJobId(String id) {
        return new InvalidMessageException(code, getMessage(), details, id);
    }
}
