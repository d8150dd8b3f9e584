package io.kindling.api.http;

import io.kindling.api.IoExecutor;
import io.kindling.api.artifacts.ArtifactStore;
import io.kindling.blobstore.BlobRead;
import io.kindling.common.artifacts.ArtifactRef;
import io.kindling.api.auth.Access;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code GET /v1/artifacts/{tenant}/{sha256}/{name}} (operation {@code getArtifact}): the
 * artifact's bytes ({@code application/octet-stream}), read from the blob store in chunks on the
 * I/O pool and written as the client takes them. 404 if it is not stored.
 */
public final class GetArtifactHandler implements Handler<RoutingContext> {
    static final int CHUNK = 1024 * 1024;

    private final ArtifactStore store;
    private final IoExecutor io;

    public GetArtifactHandler(ArtifactStore store, IoExecutor io) {
        this.store = store;
        this.io = io;
    }

    @Override
    public void handle(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        Future.succeededFuture(ctx)
                .map(GetArtifactHandler::ref)
                .map(ref -> {
                    if (!Access.canSee(ctx, ref.tenant(), ref.toString())) {
                        throw ApiException.notFound("artifact " + ref + " not found");
                    }
                    return ref;
                })
                .compose(ref -> io.call(context, () -> store.read(ref, 0, CHUNK))
                        .map(first -> first.orElseThrow(() -> ApiException.notFound("artifact " + ref + " not found")))
                        .compose(first -> send(ctx, context, ref, first)))
                .onFailure(ctx::fail);
    }

    private static ArtifactRef ref(RoutingContext ctx) {
        try {
            return new ArtifactRef(ctx.pathParam("tenant"), ctx.pathParam("sha256").toLowerCase(Locale.ROOT),
                    ctx.pathParam("name"));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidParameter("path", e.getMessage());
        }
    }

    private Future<Void> send(RoutingContext ctx, Context context, ArtifactRef ref, BlobRead first) {
        HttpServerResponse response = ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/octet-stream")
                .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(first.blobLength()))
                .putHeader("Content-Disposition", "attachment; filename=\"" + ref.name() + "\"");
        return writeFrom(response, context, ref, first, 0);
    }

    private Future<Void> writeFrom(HttpServerResponse response, Context context, ArtifactRef ref, BlobRead read,
            long offset) {
        long next = offset + read.bytes().length;
        if (read.bytes().length == 0 || next >= read.blobLength()) {
            return response.end(Buffer.buffer(read.bytes()));
        }
        return response.write(Buffer.buffer(read.bytes()))
                .compose(v -> io.call(context, () -> store.read(ref, next, CHUNK)))
                .compose(more -> writeFrom(response, context, ref,
                        more.orElseThrow(() -> new IllegalStateException("artifact " + ref + " vanished")), next));
    }
}
