package io.kindling.api.http;

import io.kindling.common.tracing.TraceContext;
import io.kindling.common.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.vertx.core.MultiMap;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * One SERVER span per OpenAPI operation, named by its operation id, child of the request's W3C
 * {@code traceparent} (the Airflow operator sends one on every call), ended with the response.
 * Handlers that publish a command take the span's context with {@link #context} and put it in
 * the record's headers, so the dispatcher continues the same trace.
 */
public final class HttpTracing {
    /** The route's trace context ({@link Context}), for the handlers. */
    static final String CONTEXT_KEY = "kindling.trace";

    private final Tracer tracer;

    public HttpTracing(Tracing tracing) {
        this.tracer = tracing.tracer("io.kindling.api");
    }

    /** The handler that opens the operation's span. */
    public Handler<RoutingContext> operation(String operationId) {
        return ctx -> {
            Context parent = TraceContext.extract(ctx.request().headers(), RequestHeaders.INSTANCE);
            SpanBuilder builder = tracer.spanBuilder(operationId).setParent(parent).setSpanKind(SpanKind.SERVER)
                    .setAttribute("http.request.method", ctx.request().method().name());
            if (ctx.currentRoute() != null && ctx.currentRoute().getPath() != null) {
                builder.setAttribute("http.route", ctx.currentRoute().getPath());
            }
            Span span = builder.startSpan();
            ctx.put(CONTEXT_KEY, parent.with(span));
            ctx.addEndHandler(done -> {
                int status = ctx.response().getStatusCode();
                span.setAttribute("http.response.status_code", status);
                if (status >= 500 || done.failed()) {
                    span.setStatus(StatusCode.ERROR);
                }
                span.end();
            });
            ctx.next();
        };
    }

    /** The trace context of the request's operation (the root context if it has none). */
    public static Context context(RoutingContext ctx) {
        Context context = ctx.get(CONTEXT_KEY);
        return context == null ? Context.root() : context;
    }

    private enum RequestHeaders implements TextMapGetter<MultiMap> {
        INSTANCE;

        @Override
        public Iterable<String> keys(MultiMap carrier) {
            return carrier.names();
        }

        @Override
        public String get(MultiMap carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    }
}
