package io.kindling.api.http;

import io.kindling.api.view.JobViewStore;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * The handlers of {@code /v1/sessions}, over the job views and the job handlers they reuse: a
 * session is a job (submitted by {@link SubmitJobHandler}, ended by {@link CancelJobHandler}).
 */
public final class SessionOperations {
    private final SessionLookup sessions;
    private final JobViewStore views;
    private final SubmitJobHandler submitter;
    private final CancelJobHandler cancels;
    private final Function<String, String> connectUrl;

    /** {@code connectUrl}: a session id's connect URL (the gateway's address is known once it listens). */
    public SessionOperations(JobViewStore views, Function<String, String> connectUrl, SubmitJobHandler submitter,
            CancelJobHandler cancels) {
        this.sessions = new SessionLookup(views, connectUrl);
        this.views = views;
        this.submitter = submitter;
        this.cancels = cancels;
        this.connectUrl = connectUrl;
    }

    public Handler<RoutingContext> create() {
        return new CreateSessionHandler(submitter, connectUrl);
    }

    public Handler<RoutingContext> get() {
        return new GetSessionHandler(sessions);
    }

    public Handler<RoutingContext> list() {
        return new ListSessionsHandler(views, sessions);
    }

    public Handler<RoutingContext> delete() {
        return new DeleteSessionHandler(sessions, cancels);
    }
}
