package io.kindling.api.http;

import io.kindling.schemas.Violation;
import java.util.List;

/**
 * The one error body: {@code {"code": "...", "message": "...", "details": [{"field", "problem"}]}},
 * with the HTTP status it is sent with.
 */
public record ApiError(int status, String code, String message, List<Violation> details) {

    public ApiError {
        details = details == null ? List.of() : List.copyOf(details);
    }

    public ApiError(ErrorCode code, String message, List<Violation> details) {
        this(code.status(), code.name(), message, details);
    }

    /** The JSON body (without the status). */
    public Body body() {
        return new Body(code, message, details);
    }

    /** What is serialised. */
    public record Body(String code, String message, List<Violation> details) {
    }
}
