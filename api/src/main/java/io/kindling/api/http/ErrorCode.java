package io.kindling.api.http;

/** The {@code code} of an error body, and the HTTP status it is answered with. */
public enum ErrorCode {
    /** The body is not a JSON object. */
    MALFORMED_JSON(400),
    /** The body breaks the job spec schema; the message and details name the field. */
    SCHEMA_VIOLATION(400),
    /** The body has a field the schema does not know; the message and details name it. */
    UNKNOWN_FIELD(400),
    /** The body is well formed and matches the schema but is still not acceptable. */
    INVALID(400),
    /** A path, query or header parameter is not acceptable. */
    INVALID_PARAMETER(400),
    /** No credential, or one that is not valid (with a {@code WWW-Authenticate} header). */
    UNAUTHENTICATED(401),
    /** The principal lacks the role, or named a tenant that is not its own. */
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    /** The idempotency key was already used for a different request. */
    CONFLICT(409),
    TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    /** A rate limit or connection cap was reached (with a {@code Retry-After} header). */
    RATE_LIMITED(429),
    INTERNAL(500),
    /** Kafka or the blob store did not answer in time, the api is overloaded, or it is not ready. */
    UNAVAILABLE(503);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
