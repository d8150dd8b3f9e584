package io.kindling.api.sessions;

import io.kindling.api.gateway.SessionRoute;
import io.kindling.api.gateway.SessionRoutes;
import io.kindling.api.view.JobViewStore;
import io.kindling.common.relay.RelayKey;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobView;
import java.util.Optional;

/**
 * The gateway's routes from the api's job views: a session the gateway relays to is a job that is
 * a session and has not ended (STARTING: its agent may connect; READY: its clients too), of its
 * job's tenant, its agent's secret derived from the shared {@link RelayKey}.
 */
public final class ViewSessionRoutes implements SessionRoutes {
    private final JobViewStore views;
    private final RelayKey key;

    public ViewSessionRoutes(JobViewStore views, RelayKey key) {
        this.views = views;
        this.key = key;
    }

    @Override
    public Optional<SessionRoute> find(String sessionId) {
        Optional<JobView> view = views.find(sessionId);
        if (view.isEmpty() || view.get().state().terminal() || !SessionSpecs.isSession(view.get(), views.spec(sessionId))) {
            return Optional.empty();
        }
        String tenant = view.get().tenant() == null ? JobSpec.DEFAULT_TENANT : view.get().tenant();
        return Optional.of(new SessionRoute(sessionId, tenant, key.agentSecretSha256(sessionId)));
    }
}
