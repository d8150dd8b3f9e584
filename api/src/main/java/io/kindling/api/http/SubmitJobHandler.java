package io.kindling.api.http;

import io.kindling.api.CommandPublisher;
import io.kindling.api.IoExecutor;
import io.kindling.api.auth.Access;
import io.kindling.api.sessions.SessionSpecs;
import io.kindling.api.view.JobViewStore;
import io.kindling.common.artifacts.ArtifactRef;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.JobViews;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageLimits;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Violation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code POST /v1/jobs} (operation {@code submitJob}): its headers and media type checked by
 * {@link RequestContract} (the document's rules), validates the body with the same
 * {@link MessageReader} the dispatcher uses for Kafka records (job-spec.schema.json, which the
 * document refers to), publishes a {@link SubmitJob} on
 * the commands topic, waits for the broker's acknowledgement, and answers 202 with the job's view.
 *
 * <p>With an idempotency key the job id is derived from the tenant and the key
 * ({@link IdempotencyKeys}). If that job is already known, nothing is published: the same request
 * is answered 200 with the job's view and {@value #REPLAY}{@code : true}; a different one 409
 * {@link ErrorCode#CONFLICT}. Views are rebuilt from the events topic, so this holds across
 * restarts; two instances racing on one new key both publish and the dispatcher keeps the first.
 */
public final class SubmitJobHandler implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(SubmitJobHandler.class);
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String REPLAY = "Kindling-Idempotent-Replay";

    private final MessageReader reader;
    private final CommandPublisher publisher;
    private final JobViewStore views;
    private final IoExecutor io;
    private final JobIdGenerator ids;
    private final Clock clock;
    private final Set<String> pools;

    /** {@code pools}: the pools the dispatcher knows; a job naming another is refused here, as it would be there. */
    public SubmitJobHandler(MessageReader reader, CommandPublisher publisher, JobViewStore views, IoExecutor io,
            JobIdGenerator ids, Clock clock, Set<String> pools) {
        this.pools = new TreeSet<>(pools);
        this.reader = reader;
        this.publisher = publisher;
        this.views = views;
        this.io = io;
        this.ids = ids;
        this.clock = clock;
    }

    @Override
    public void handle(RoutingContext ctx) {
        byte[] body = Optional.ofNullable(ctx.body().buffer()).map(Buffer::getBytes).orElse(new byte[0]);
        submit(ctx, body, SubmitJobHandler::requireJob)
                .onSuccess(outcome -> send(ctx, outcome))
                .onFailure(ctx::fail);
    }

    /**
     * Submits the job spec {@code body} (JSON) for the request {@code ctx} (its idempotency key and
     * tenant headers, its principal): read by the dispatcher's reader, owned by a tenant of the
     * principal, its pool known, {@code check} passed, fitting a command record, published (or an
     * earlier submission with the same key found). Sessions are submitted here too.
     */
    Future<Outcome> submit(RoutingContext ctx, byte[] body, java.util.function.UnaryOperator<JobSpec> check) {
        Context context = ctx.vertx().getOrCreateContext();
        ValidRequest request = ValidRequest.of(ctx);
        String headerKey = request.string(IDEMPOTENCY_KEY);
        String headerTenant = request.string(Access.TENANT_HEADER);
        String principal = Access.principal(ctx).name();
        return io.call(context, () -> new Read(reader.readJobSpec(body), namedTenant(body)))
                .map(read -> withTenant(ctx, read, headerTenant))
                .map(spec -> withIdempotencyKey(spec, headerKey))
                .map(spec -> requireKnownPool(spec, pools))
                .map(check)
                .map(spec -> new SubmitJob(jobId(spec), spec, clock.instant(), principal))
                .map(SubmitJobHandler::encoded)
                .compose(command -> earlier(command.command())
                        .map(view -> Future.succeededFuture(new Outcome(view, true)))
                        .orElseGet(() -> publishNew(context, command, HttpTracing.context(ctx))));
    }

    /**
     * A job of {@code POST /v1/jobs}: not a session (application spark-connect: 400 pointing to
     * /v1/sessions) and without the labels only the api sets ({@link SessionSpecs#PREFIX}).
     */
    static JobSpec requireJob(JobSpec spec) {
        if (spec.application() != null && spec.application().type() == ApplicationType.SPARK_CONNECT) {
            String problem = "a spark-connect application is an interactive session: create it with POST /v1/sessions";
            throw new ApiException(ErrorCode.INVALID, "$.application.type: " + problem,
                    List.of(new Violation("$.application.type", problem)));
        }
        SessionSpecs.reservedLabel(spec.labels()).ifPresent(key -> {
            throw reservedLabel(key);
        });
        return spec;
    }

    /** 400 for a label key only the api may set. */
    static ApiException reservedLabel(String key) {
        String problem = "labels starting with '" + SessionSpecs.PREFIX + "' are set by the api";
        return new ApiException(ErrorCode.INVALID, "$.labels." + key + ": " + problem,
                List.of(new Violation("$.labels." + key, problem)));
    }

    /** A spec as read, and the tenant its body names (null if none). */
    private record Read(JobSpec spec, String namedTenant) {
    }

    /** The body's {@code tenant} field, if it has one (the spec's {@code tenant()} is never null). */
    private static String namedTenant(byte[] body) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode tenant = Json.mapper().readTree(body).get("tenant");
        return tenant != null && tenant.isTextual() ? tenant.asText() : null;
    }

    /**
     * The spec owned by the tenant the principal acts in ({@link Access#tenantFor}): named by the
     * {@code tenant} field or the {@value Access#TENANT_HEADER} header (they must agree). A
     * {@code tenant} label is refused: the tenant comes from identity.
     */
    static JobSpec withTenant(RoutingContext ctx, Read read, String headerTenant) {
        JobSpec spec = read.spec();
        if (spec.labels().containsKey(JobSpec.TENANT_LABEL)) {
            String problem = "the tenant comes from your identity; use the `tenant` field or `" + Access.TENANT_HEADER
                    + "` header";
            throw new ApiException(ErrorCode.INVALID, "$.labels.tenant: " + problem,
                    List.of(new Violation("$.labels.tenant", problem)));
        }
        String named = read.namedTenant();
        if (headerTenant != null) {
            if (named != null && !named.equals(headerTenant)) {
                String problem = "differs from the " + Access.TENANT_HEADER + " header";
                throw new ApiException(ErrorCode.INVALID, "$.tenant: " + problem, List.of(new Violation("$.tenant", problem)));
            }
            named = headerTenant;
        }
        JobSpec owned = spec.withTenant(Access.tenantFor(ctx, named,
                named == read.namedTenant() ? "$.tenant" : Access.TENANT_HEADER));
        requireOwnArtifacts(owned);
        return owned;
    }

    /** Every {@code artifact://} the job names belongs to its tenant (else 400 naming the field). */
    static void requireOwnArtifacts(JobSpec spec) {
        List<Violation> foreign = new java.util.ArrayList<>();
        checkArtifact("$.application.file", spec.application().file(), spec.tenant(), foreign);
        Map<String, List<String>> lists = new java.util.LinkedHashMap<>();
        lists.put("pyFiles", spec.pyFiles());
        lists.put("jars", spec.jars());
        lists.put("files", spec.files());
        lists.put("archives", spec.archives());
        lists.forEach((field, uris) -> {
            for (int i = 0; i < uris.size(); i++) {
                checkArtifact("$." + field + "[" + i + "]", uris.get(i), spec.tenant(), foreign);
            }
        });
        if (!foreign.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID, foreign.get(0).field() + ": " + foreign.get(0).problem(), foreign);
        }
    }

    private static void checkArtifact(String field, String uri, String tenant, List<Violation> foreign) {
        if (!ArtifactRef.isArtifact(uri)) {
            return;
        }
        int fragment = uri.indexOf('#');
        try {
            ArtifactRef ref = ArtifactRef.parse(fragment < 0 ? uri : uri.substring(0, fragment));
            if (!ref.tenant().equals(tenant)) {
                foreign.add(new Violation(field, "artifact of tenant '" + ref.tenant() + "'; a job of tenant '" + tenant
                        + "' may use only its own tenant's artifacts"));
            }
        } catch (IllegalArgumentException e) {
            // malformed references are refused where they are resolved, naming the problem
        }
    }

    /** The spec job {@code id} was submitted with, if the api knows it. */
    Optional<JobSpec> spec(String id) {
        return views.spec(id);
    }

    /** A job's view, and whether it is an earlier submission's (nothing was published). */
    record Outcome(JobView view, boolean replay) {
    }

    private String jobId(JobSpec spec) {
        return spec.idempotencyKey() == null ? ids.next() : IdempotencyKeys.jobId(spec.tenant(), spec.idempotencyKey());
    }

    /**
     * The view of the job an earlier submission with the same key made, if there is one and it
     * was the same request.
     *
     * @throws ApiException CONFLICT if the key was used for a different request
     */
    private Optional<JobView> earlier(SubmitJob command) {
        if (command.spec().idempotencyKey() == null) {
            return Optional.empty();
        }
        Optional<JobView> view = views.find(command.jobId());
        if (view.isEmpty() && !views.caughtUp()) {
            throw new ApiException(ErrorCode.UNAVAILABLE, "the api is still reading the events topic and cannot tell yet"
                    + " whether idempotency key '" + command.spec().idempotencyKey() + "' was used; retry shortly");
        }
        if (view.isPresent()) {
            requireSameRequest(command);
            try (MDC.MDCCloseable job = MDC.putCloseable("jobId", command.jobId())) {
                LOG.info("idempotent replay of job (key '{}'): nothing published", command.spec().idempotencyKey());
            }
        }
        return view;
    }

    private void requireSameRequest(SubmitJob command) {
        String key = command.spec().idempotencyKey();
        Optional<JobSpec> known = views.spec(command.jobId());
        if (known.isEmpty()) {
            throw new ApiException(ErrorCode.CONFLICT, "idempotency key '" + key + "' names job " + command.jobId()
                    + ", whose request is not known to the api; submit with another key",
                    List.of(new Violation("$.idempotencyKey", "names job " + command.jobId() + " of an unknown request")));
        }
        if (!IdempotencyKeys.sameRequest(known.get(), command.spec())) {
            throw new ApiException(ErrorCode.CONFLICT, "idempotency key '" + key + "' was already used for a different"
                    + " request (job " + command.jobId() + ")",
                    List.of(new Violation("$.idempotencyKey", "already used for a different request")));
        }
    }

    /** The spec, if its pool is one the dispatcher knows; else 400 naming it and the known pools. */
    static JobSpec requireKnownPool(JobSpec spec, Set<String> pools) {
        if (pools.contains(spec.pool())) {
            return spec;
        }
        String problem = "unknown pool '" + spec.pool() + "'; the pools are " + String.join(", ", new TreeSet<>(pools));
        throw new ApiException(ErrorCode.INVALID, "$.pool: " + problem, List.of(new Violation("$.pool", problem)));
    }

    /** A command and its record's value, encoded once: the size checked is the size published. */
    record Encoded(SubmitJob command, byte[] value) {
    }

    /** The command encoded, if it fits a command record ({@link MessageLimits#COMMAND_BYTES}); else 413. */
    static Encoded encoded(SubmitJob command) {
        byte[] value = Json.encode(command);
        if (value.length > MessageLimits.COMMAND_BYTES) {
            throw new ApiException(ErrorCode.TOO_LARGE, "the job's command would be " + value.length
                    + " bytes; the limit is " + MessageLimits.COMMAND_BYTES + " (make the request smaller)");
        }
        return new Encoded(command, value);
    }

    /** The spec with the {@code Idempotency-Key} header as its key; the header and the field must agree. */
    static JobSpec withIdempotencyKey(JobSpec spec, String headerKey) {
        if (headerKey == null) {
            return spec;
        }
        if (spec.idempotencyKey() != null) {
            if (!spec.idempotencyKey().equals(headerKey)) {
                String problem = "differs from the " + IDEMPOTENCY_KEY + " header";
                throw new ApiException(ErrorCode.INVALID, "$.idempotencyKey: " + problem,
                        List.of(new Violation("$.idempotencyKey", problem)));
            }
            return spec;
        }
        return spec.withIdempotencyKey(headerKey);
    }

    private Future<SubmitJob> publish(Context context, Encoded encoded, io.opentelemetry.context.Context trace) {
        SubmitJob command = encoded.command();
        return publisher.publish(context, command, encoded.value(), trace)
                .map(metadata -> command)
                .recover(e -> {
                    try (MDC.MDCCloseable job = MDC.putCloseable("jobId", command.jobId())) {
                        LOG.warn("submission not acknowledged by Kafka: {}", e.toString());
                    }
                    return Future.failedFuture(new ApiException(ErrorCode.UNAVAILABLE,
                            "Kafka did not acknowledge job " + command.jobId() + " in time; it may still run: check GET /v1/jobs/"
                                    + command.jobId() + " before submitting again", e));
                });
    }

    /** Publishes a job no earlier submission made, and remembers it. */
    private Future<Outcome> publishNew(Context context, Encoded command, io.opentelemetry.context.Context trace) {
        // taken before publishing: a generated id is new, so the store need not be read for it (a key's may not be)
        long newJob = command.command().spec().idempotencyKey() == null ? views.newJobMark() : JobViewStore.NOT_NEW;
        return publish(context, command, trace).map(published -> remember(published, newJob))
                .map(view -> new Outcome(view, false));
    }

    /** The view a job has before its first event: what the QUEUED event will make of it. */
    private JobView remember(SubmitJob command, long newJobMark) {
        Instant at = command.submittedAt();
        JobView view = JobViews.apply(Optional.empty(),
                JobEvents.job(command.jobId(), JobState.QUEUED, at).spec(command.spec()).submittedAt(at).build());
        views.putProvisional(view, command.spec(), newJobMark);
        if (command.spec().idempotencyKey() != null) {
            // another request with this key got in first (it is known now): the dispatcher keeps that one
            requireSameRequest(command);
        }
        if (LOG.isDebugEnabled()) {
            // routine: the job's QUEUED event says the same (a line per job at info was 6 % of the event loop)
            try (MDC.MDCCloseable job = MDC.putCloseable("jobId", command.jobId())) {
                LOG.debug("accepted job (pool {}, tenant {})", view.pool(), view.tenant());
            }
        }
        return views.find(command.jobId()).orElse(view);
    }

    private static void send(RoutingContext ctx, Outcome outcome) {
        JobView view = outcome.view();
        if (outcome.replay()) {
            ctx.response().putHeader(REPLAY, "true");
        }
        ctx.response()
                .setStatusCode(outcome.replay() ? 200 : 202)
                .putHeader(HttpHeaders.LOCATION, "/v1/jobs/" + view.id())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Buffer.buffer(Json.encode(view)));
    }
}
