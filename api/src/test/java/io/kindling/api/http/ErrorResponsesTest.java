package io.kindling.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kindling.blobstore.BlobStoreException;
import io.kindling.schemas.InvalidMessageException;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.Violation;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {
    private static final String REQUEST = "POST /v1/jobs";

    private final ErrorResponses errors = new ErrorResponses(1024);
    private final MessageReader reader = new MessageReader();

    @Test
    void aMissingRequiredFieldIsASchemaViolationNamingTheField() {
        ApiError error = errors.toError(refused("{\"application\": {\"type\": \"python\"}}"), 500, REQUEST);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("SCHEMA_VIOLATION");
        assertThat(error.message()).startsWith("$.application.file: required field 'file' is missing");
        assertThat(error.details()).contains(new Violation("$.application.file", "required field 'file' is missing"));
    }

    @Test
    void anUnknownFieldIsNamed() {
        ApiError error = errors.toError(
                refused("{\"application\": {\"type\": \"python\", \"file\": \"/a.py\"}, \"colour\": \"red\"}"), 500, REQUEST);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("UNKNOWN_FIELD");
        assertThat(error.message()).contains("colour");
        assertThat(error.details()).extracting(Violation::field).containsExactly("$.colour");
    }

    @Test
    void malformedJson() {
        ApiError error = errors.toError(refused("{\"application\": "), 500, REQUEST);

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("MALFORMED_JSON");
        assertThat(error.message()).startsWith("malformed JSON");
    }

    @Test
    void apiExceptionsKeepTheirCodeMessageAndDetails() {
        ApiError error = errors.toError(GetJobHandler.notFound("job-9"), 500, "GET /v1/jobs/job-9");

        assertThat(error).isEqualTo(new ApiError(404, "NOT_FOUND", "job 'job-9' not found", List.of()));
    }

    @Test
    void aBadRequestFromVertxIsInvalidParameterWithItsReason() {
        ApiError error = errors.toError(new HttpException(400, "The value of path parameter stream is invalid."), 400,
                "GET /x");

        assertThat(error.status()).isEqualTo(400);
        assertThat(error.code()).isEqualTo("INVALID_PARAMETER");
        assertThat(error.message()).contains("stream");
    }

    @Test
    void statusOnlyFailures() {
        assertThat(errors.toError(null, 404, "GET /nope")).isEqualTo(
                new ApiError(404, "NOT_FOUND", "no such resource: GET /nope", List.of()));
        assertThat(errors.toError(null, 405, "DELETE /v1/jobs").code()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(errors.toError(null, 413, REQUEST))
                .isEqualTo(new ApiError(413, "TOO_LARGE", "request body is larger than the limit of 1024 bytes", List.of()));
        assertThat(errors.toError(null, 415, REQUEST).code()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        assertThat(errors.toError(null, 417, REQUEST).status()).isEqualTo(417);
    }

    @Test
    void overloadAndTransientStoreFailuresAreUnavailable() {
        assertThat(errors.toError(new RejectedExecutionException("full"), 500, REQUEST).status()).isEqualTo(503);
        ApiError store = errors.toError(new BlobStoreException("throttled", true), 500, "GET /logs");
        assertThat(store.status()).isEqualTo(503);
        assertThat(store.code()).isEqualTo("UNAVAILABLE");
    }

    @Test
    void anUnexpectedFailureIsA500ThatLeaksNothing() {
        ApiError error = errors.toError(new IllegalStateException("secret detail at com.example.Foo"), 500, REQUEST);

        assertThat(error.status()).isEqualTo(500);
        assertThat(error.code()).isEqualTo("INTERNAL");
        assertThat(error.message()).startsWith("internal error (reference ").doesNotContain("secret", "Exception");
        assertThat(error.details()).isEmpty();
    }

    @Test
    void theBodyHasCodeMessageAndDetails() throws Exception {
        ApiError error = new ApiError(ErrorCode.SCHEMA_VIOLATION, "$.a: bad", List.of(new Violation("$.a", "bad")));

        JsonNode body = Json.mapper().readTree(Json.encodeToString(error.body()));

        assertThat(body.fieldNames()).toIterable().containsExactlyInAnyOrder("code", "message", "details");
        assertThat(body.get("details").get(0).get("field").asText()).isEqualTo("$.a");
        assertThat(body.get("details").get(0).get("problem").asText()).isEqualTo("bad");
        JsonNode empty = Json.mapper().readTree(Json.encodeToString(new ApiError(ErrorCode.NOT_FOUND, "x", null).body()));
        assertThat(empty.get("details").isArray()).isTrue();
    }

    private InvalidMessageException refused(String body) {
        try {
            reader.readJobSpec(body.getBytes(StandardCharsets.UTF_8));
        } catch (InvalidMessageException e) {
            return e;
        }
        throw new AssertionError("expected " + body + " to be refused");
    }
}
