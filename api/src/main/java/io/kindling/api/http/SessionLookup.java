package io.kindling.api.http;

import io.kindling.api.sessions.SessionSpecs;
import io.kindling.api.sessions.SessionView;
import io.kindling.api.view.JobViewStore;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * The session a request names: a job the caller may see (another tenant's answers 404, as for
 * jobs) that is a session ({@link SessionSpecs#isSession}); a job that is not a session is 404 too.
 */
final class SessionLookup {
    private final JobViewStore views;
    private final Function<String, String> connectUrl;

    SessionLookup(JobViewStore views, Function<String, String> connectUrl) {
        this.views = views;
        this.connectUrl = connectUrl;
    }

    /** The job view of session {@code id}, or an {@link ApiException} (404, or 503 while the views are rebuilt). */
    JobView find(RoutingContext ctx, String id) {
        JobView view = views.find(id).orElseThrow(() -> views.caughtUp() ? notFound(id)
                : new ApiException(ErrorCode.UNAVAILABLE, "session '" + id + "' is not known yet: the api is still reading"
                        + " the events topic; retry shortly"));
        if (!GetJobHandler.visible(ctx, view) || !SessionSpecs.isSession(view, views.spec(id))) {
            throw notFound(id);
        }
        return view;
    }

    SessionView session(JobView job) {
        return SessionView.of(job, views.spec(job.id()), connectUrl);
    }

    /** Answers {@code status} with the session's view. */
    void send(RoutingContext ctx, int status, JobView job) {
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encodeToString(session(job)));
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("session '" + id + "' not found");
    }
}
