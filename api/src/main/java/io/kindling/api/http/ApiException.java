package io.kindling.api.http;

import io.kindling.schemas.Violation;
import java.util.List;
import java.util.Map;

/** A request the api answers with an error body; handlers fail their context with it. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient List<Violation> details;
    private final transient Map<String, String> headers;

    public ApiException(ErrorCode code, String message, List<Violation> details) {
        super(message);
        this.code = code;
        this.details = List.copyOf(details);
        this.headers = Map.of();
    }

    private ApiException(ErrorCode code, String message, Map<String, String> headers) {
        super(message);
        this.code = code;
        this.details = List.of();
        this.headers = Map.copyOf(headers);
    }

    public ApiException(ErrorCode code, String message) {
        this(code, message, List.of());
    }

    public ApiException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = List.of();
        this.headers = Map.of();
    }

    public ErrorCode code() {
        return code;
    }

    public List<Violation> details() {
        return details;
    }

    /** Response headers the answer carries ({@code WWW-Authenticate}, {@code Retry-After}). */
    public Map<String, String> headers() {
        return headers;
    }

    /** 401 with {@code WWW-Authenticate: Bearer realm="kindling"} (and {@code error="invalid_token"} when one was given). */
    public static ApiException unauthenticated(String message, boolean tokenGiven) {
        return new ApiException(ErrorCode.UNAUTHENTICATED, message, Map.of("WWW-Authenticate",
                tokenGiven ? "Bearer realm=\"kindling\", error=\"invalid_token\"" : "Bearer realm=\"kindling\""));
    }

    public static ApiException forbidden(String message) {
        return new ApiException(ErrorCode.FORBIDDEN, message);
    }

    /** 429 with {@code Retry-After: seconds}. */
    public static ApiException rateLimited(String message, long retryAfterSeconds) {
        return new ApiException(ErrorCode.RATE_LIMITED, message, Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.NOT_FOUND, message);
    }

    /** A job the views do not know of, which may still exist while they are being rebuilt. */
    public static ApiException unknownJob(String id, boolean viewsComplete) {
        return viewsComplete ? notFound("job '" + id + "' not found")
                : new ApiException(ErrorCode.UNAVAILABLE, "job '" + id + "' is not known yet: the api is still reading"
                        + " the events topic; retry shortly");
    }

    public static ApiException invalidParameter(String name, String problem) {
        return new ApiException(ErrorCode.INVALID_PARAMETER, name + ": " + problem, List.of(new Violation(name, problem)));
    }
}
