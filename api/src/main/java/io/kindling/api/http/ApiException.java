package io.kindling.api.http;

import io.kindling.schemas.Violation;
import java.util.List;

/** A request the api answers with an error body; handlers fail their context with it. */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient List<Violation> details;

    public ApiException(ErrorCode code, String message, List<Violation> details) {
        super(message);
        this.code = code;
        this.details = List.copyOf(details);
    }

    public ApiException(ErrorCode code, String message) {
        this(code, message, List.of());
    }

    public ApiException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = List.of();
    }

    public ErrorCode code() {
        return code;
    }

    public List<Violation> details() {
        return details;
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
