package io.kindling.api.http;

import io.kindling.api.IoExecutor;
import io.kindling.api.artifacts.ArtifactStore;
import io.kindling.common.artifacts.ArtifactRef;
import io.kindling.api.auth.Access;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code POST /v1/artifacts} (operation {@code uploadArtifact}): one {@code multipart/form-data}
 * file part named {@code file}, already streamed to a temporary file by the route's body
 * handler, is stored content-addressed ({@link ArtifactStore}); the answer is 201
 * {@code {"uri", "sha256", "size"}}. The form's fields were checked against the document by
 * {@link RequestContract} (any other field is {@code UNKNOWN_FIELD}). The artifact's tenant is the principal's, or the one it
 * names among its own with a {@code tenant} form field or the {@value #TENANT_HEADER} header
 * ({@link Access#tenantFor}).
 */
public final class UploadArtifactHandler implements Handler<RoutingContext> {
    public static final String TENANT_HEADER = Access.TENANT_HEADER;
    public static final String FILE_PART = "file";
    public static final String TENANT_FIELD = "tenant";

    private final ArtifactStore store;
    private final IoExecutor io;
    private final long maxBytes;

    public UploadArtifactHandler(ArtifactStore store, IoExecutor io, long maxBytes) {
        this.store = store;
        this.io = io;
        this.maxBytes = maxBytes;
    }

    private record Upload(String tenant, String name, Path file) {
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        Future.succeededFuture(ctx)
                .map(this::upload)
                .compose(upload -> io.call(context, () -> store.store(upload.tenant(), upload.name(), upload.file())))
                .onSuccess(stored -> ctx.response()
                        .setStatusCode(201)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.LOCATION, "/v1/artifacts/" + stored.ref().tenant() + "/"
                                + stored.ref().sha256() + "/" + stored.ref().name())
                        .end(new JsonObject()
                                .put("uri", stored.ref().uri())
                                .put("sha256", stored.ref().sha256())
                                .put("size", stored.size())
                                .encode()))
                .onFailure(ctx::fail);
    }

    private Upload upload(RoutingContext ctx) {
        ValidRequest request = ValidRequest.of(ctx);
        // the form has one field named 'file' and perhaps a 'tenant' (RequestContract): it must be a file part
        List<FileUpload> files = ctx.fileUploads().stream().filter(f -> FILE_PART.equals(f.name())).toList();
        if (files.size() != 1) {
            throw ApiException.invalidParameter(FILE_PART, "must be a file part (with a file name)");
        }
        FileUpload file = files.get(0);
        if (file.size() > maxBytes) {
            throw new ApiException(ErrorCode.TOO_LARGE, "the artifact is larger than the limit of " + maxBytes + " bytes");
        }
        String name = file.fileName();
        if (!ArtifactRef.isSafe(name)) {
            throw ApiException.invalidParameter(FILE_PART, "file name '" + printable(name)
                    + "' must be 1 to 200 of [A-Za-z0-9._-] and not '.' or '..'");
        }
        String tenant = Access.tenantFor(ctx, named(request), "tenant");
        return new Upload(tenant, name, Path.of(file.uploadedFileName()));
    }

    /** The tenant the request names: the {@code tenant} form field, else the {@value Access#TENANT_HEADER} header; null if neither. */
    private static String named(ValidRequest request) {
        String field = request.object().getString(TENANT_FIELD);
        String header = request.string(Access.TENANT_HEADER);
        if (field != null) {
            if (header != null && !header.equals(field)) {
                throw ApiException.invalidParameter("tenant", "the tenant field and the " + Access.TENANT_HEADER
                        + " header differ");
            }
            return field;
        }
        return header;
    }

    private static String printable(String value) {
        if (value == null) {
            return "";
        }
        String shown = value.length() > 100 ? value.substring(0, 100) + "..." : value;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
