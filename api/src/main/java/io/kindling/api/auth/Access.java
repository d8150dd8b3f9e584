package io.kindling.api.auth;

import io.kindling.api.http.ApiException;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.Names;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authorization, in one place: the principal {@link AuthHandler} put in the routing context, the
 * role each operation needs ({@link #require}), which objects a principal may see (another
 * tenant's object is answered 404, so ids confirm nothing), and which tenant a new object gets.
 * Every denial is logged once, with the principal, the operation and the object, never the credential.
 */
public final class Access {
    private static final Logger LOG = LoggerFactory.getLogger(Access.class);
    static final String PRINCIPAL = "kindling.principal";
    static final String OPERATION = "kindling.operation";
    /** The header naming the tenant a request acts in (submit, upload). */
    public static final String TENANT_HEADER = "X-Kindling-Tenant";

    private Access() {
    }

    /** The authenticated principal of the request. */
    public static Principal principal(RoutingContext ctx) {
        Principal principal = ctx.get(PRINCIPAL);
        if (principal == null) {
            throw new IllegalStateException("no principal: the authentication handler did not run for " + ctx.normalizedPath());
        }
        return principal;
    }

    /** A handler that makes every request act as {@code principal} (handler tests; {@link AuthHandler} when disabled). */
    public static Handler<RoutingContext> actingAs(Principal principal) {
        return ctx -> {
            ctx.put(PRINCIPAL, principal);
            ctx.next();
        };
    }

    /** The first handler of operation {@code operationId}: the principal must hold {@code role} (else 403). */
    public static Handler<RoutingContext> require(Role role, String operationId) {
        return ctx -> {
            ctx.put(OPERATION, operationId);
            Principal principal = principal(ctx);
            if (principal.has(role)) {
                ctx.next();
                return;
            }
            denied(principal.name(), operationId, objectOf(ctx), "lacks role " + role.label());
            ctx.fail(ApiException.forbidden("'" + principal.name() + "' lacks the role '" + role.label() + "' needed for "
                    + operationId));
        };
    }

    /**
     * True if the principal may see an object of {@code tenant}; if not, the denial is logged and
     * the caller answers as if the object did not exist.
     */
    public static boolean canSee(RoutingContext ctx, String tenant, String objectId) {
        Principal principal = principal(ctx);
        if (principal.actsIn(tenant == null ? JobSpec.DEFAULT_TENANT : tenant)) {
            return true;
        }
        denied(principal.name(), operation(ctx), objectId, "object of another tenant (answered 404)");
        return false;
    }

    /**
     * The tenant a new object (a job, an artifact) belongs to. {@code named} (the body field or
     * the {@value #TENANT_HEADER} header) must be one of the principal's tenants (an admin may name
     * any), else 403; when none is named: the principal's only tenant, else {@code default} if it
     * has it, else 400 asking to name one.
     */
    public static String tenantFor(RoutingContext ctx, String named, String field) {
        Principal principal = principal(ctx);
        if (named != null && !named.isEmpty()) {
            if (!Names.isTenant(named)) {
                throw ApiException.invalidParameter(field, "a tenant must match " + Names.TENANT.pattern());
            }
            if (!principal.actsIn(named)) {
                denied(principal.name(), operation(ctx), named, "names a tenant that is not its own");
                throw ApiException.forbidden("'" + principal.name() + "' does not act in tenant '" + named + "' (its tenants: "
                        + String.join(", ", principal.sortedTenants()) + ")");
            }
            return named;
        }
        List<String> tenants = principal.sortedTenants();
        if (tenants.size() == 1) {
            return tenants.get(0);
        }
        if (principal.admin() || tenants.contains(JobSpec.DEFAULT_TENANT)) {
            return JobSpec.DEFAULT_TENANT;
        }
        throw ApiException.invalidParameter(field, "'" + principal.name() + "' acts in several tenants ("
                + String.join(", ", tenants) + "): name one with the 'tenant' field or the " + TENANT_HEADER + " header");
    }

    static void denied(String principal, String operation, String object, String why) {
        LOG.warn("denied: principal '{}', operation {}, object {}: {}", principal, operation, object == null ? "-" : object, why);
    }

    private static String operation(RoutingContext ctx) {
        String operation = ctx.get(OPERATION);
        return operation != null ? operation : ctx.request().method() + " " + ctx.normalizedPath();
    }

    private static String objectOf(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (id != null) {
            return id;
        }
        String sha = ctx.pathParam("sha256");
        return sha == null ? null : ctx.pathParam("tenant") + "/" + sha + "/" + ctx.pathParam("name");
    }
}
