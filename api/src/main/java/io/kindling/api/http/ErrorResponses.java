package io.kindling.api.http;

import io.kindling.blobstore.BlobStoreException;
import io.kindling.schemas.InvalidMessageException;
import io.kindling.schemas.Json;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into the one error body. Mounted as the router's failure handler and as its
 * error handler for requests no route takes (404, 405), so every error the api sends has the same
 * shape. A 500 names a reference that is logged with the stack trace; the trace is never sent.
 */
public final class ErrorResponses implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private final int maxRequestBytes;
    private final long maxArtifactBytes;
    private final Function<String, String> allowedMethods;

    public ErrorResponses(int maxRequestBytes) {
        this(maxRequestBytes, maxRequestBytes);
    }

    /** @param maxArtifactBytes the limit of an artifact upload ({@code POST /v1/artifacts}) */
    public ErrorResponses(int maxRequestBytes, long maxArtifactBytes) {
        this(maxRequestBytes, maxArtifactBytes, path -> null);
    }

    private ErrorResponses(int maxRequestBytes, long maxArtifactBytes, Function<String, String> allowedMethods) {
        this.maxRequestBytes = maxRequestBytes;
        this.maxArtifactBytes = maxArtifactBytes;
        this.allowedMethods = allowedMethods;
    }

    /** These responses with an {@code Allow} header on a 405: {@code allowedMethods} maps a path to its methods. */
    public ErrorResponses withAllowedMethods(Function<String, String> allowedMethods) {
        return new ErrorResponses(maxRequestBytes, maxArtifactBytes, allowedMethods);
    }

    @Override
    public void handle(RoutingContext ctx) {
        ApiError error = toError(ctx.failure(), ctx.statusCode(), ctx.request().method() + " " + ctx.request().path());
        if (ctx.failure() instanceof ApiException e && !ctx.response().headWritten()) {
            e.headers().forEach(ctx.response()::putHeader);
        }
        if (error.status() == 405 && !ctx.response().headWritten()) {
            String allow = allowedMethods.apply(ctx.normalizedPath());
            if (allow != null) {
                ctx.response().putHeader(HttpHeaders.ALLOW, allow);
            }
        }
        send(ctx.response(), error);
    }

    /** The error body for a failure ({@code failure} may be null when only a status is known). */
    ApiError toError(Throwable failure, int status, String request) {
        if (failure instanceof ApiException e) {
            return new ApiError(e.code(), e.getMessage(), e.details());
        }
        if (failure instanceof InvalidMessageException e) {
            ErrorCode code = switch (e.code()) {
                case MALFORMED_JSON -> ErrorCode.MALFORMED_JSON;
                case SCHEMA_VIOLATION -> ErrorCode.SCHEMA_VIOLATION;
                case UNKNOWN_FIELD -> ErrorCode.UNKNOWN_FIELD;
                case TOO_LARGE -> ErrorCode.TOO_LARGE;
                case INVALID -> ErrorCode.INVALID;
            };
            return new ApiError(code, e.getMessage(), e.details());
        }
        if (failure instanceof HttpException e) {
            if (e.getStatusCode() == 400 && e.getPayload() != null) {
                return new ApiError(ErrorCode.INVALID_PARAMETER, e.getPayload(), List.of());
            }
            return forStatus(e.getStatusCode(), request, null);
        }
        if (isMalformedMultipart(failure)) {
            return new ApiError(ErrorCode.INVALID_PARAMETER, "malformed multipart/form-data body: " + failure.getMessage(),
                    List.of());
        }
        if (failure instanceof RejectedExecutionException) {
            return new ApiError(ErrorCode.UNAVAILABLE, "the api is overloaded; retry later", List.of());
        }
        if (failure instanceof BlobStoreException e && e.transientFailure()) {
            LOG.warn("{}: blob store unavailable: {}", request, e.getMessage());
            return new ApiError(ErrorCode.UNAVAILABLE, "the log store is unavailable; retry later", List.of());
        }
        return forStatus(failure == null && status > 0 ? status : 500, request, failure);
    }

    /** Netty's multipart decoder refusing the body (e.g. a part with an empty name): the caller's fault. */
    private static boolean isMalformedMultipart(Throwable failure) {
        if (!(failure instanceof IllegalArgumentException || failure instanceof io.netty.handler.codec.DecoderException)) {
            return false;
        }
        for (StackTraceElement frame : failure.getStackTrace()) {
            if (frame.getClassName().startsWith("io.netty.handler.codec.http.multipart.")) {
                return true;
            }
        }
        return false;
    }

    private ApiError forStatus(int status, String request, Throwable failure) {
        return switch (status) {
            case 400 -> new ApiError(ErrorCode.INVALID_PARAMETER, "bad request", List.of());
            case 404 -> new ApiError(ErrorCode.NOT_FOUND, "no such resource: " + request, List.of());
            case 405 -> new ApiError(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed: " + request, List.of());
            case 413 -> new ApiError(ErrorCode.TOO_LARGE, "request body is larger than the limit of "
                    + (request.startsWith("POST /v1/artifacts") ? maxArtifactBytes : maxRequestBytes) + " bytes", List.of());
            case 415 -> new ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported content type", List.of());
            case 503 -> new ApiError(ErrorCode.UNAVAILABLE, "service unavailable; retry later", List.of());
            default -> status >= 400 && status < 500 && failure == null
                    ? new ApiError(status, ErrorCode.INVALID_PARAMETER.name(), "request refused (HTTP " + status + ")",
                            List.of())
                    : internal(request, failure);
        };
    }

    private static ApiError internal(String request, Throwable failure) {
        String reference = UUID.randomUUID().toString();
        LOG.error("{} failed (reference {})", request, reference, failure);
        return new ApiError(ErrorCode.INTERNAL, "internal error (reference " + reference + ")", List.of());
    }

    /** Sends {@code error}, unless a response was already started (then the connection is closed). */
    public static void send(HttpServerResponse response, ApiError error) {
        if (response.headWritten()) {
            response.reset();
            return;
        }
        response.setStatusCode(error.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(error.body()));
    }
}
