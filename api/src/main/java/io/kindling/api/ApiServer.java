package io.kindling.api;

import io.kindling.common.deadletter.DeadLetterPublisher;
import io.kindling.api.artifacts.ArtifactStore;
import io.kindling.api.auth.Access;
import io.kindling.api.auth.AuthConfig;
import io.kindling.api.auth.AuthHandler;
import io.kindling.api.auth.JwtAuthenticator;
import io.kindling.api.gateway.SessionGateway;
import io.kindling.api.auth.Role;
import io.kindling.api.auth.StaticTokens;
import io.kindling.api.limits.ApiLimits;
import io.kindling.api.limits.ConnectionLimiter;
import io.kindling.api.limits.Limits;
import io.kindling.api.limits.SubmitRateLimiter;
import io.kindling.api.http.ApiContract;
import io.kindling.api.http.CancelJobHandler;
import io.kindling.api.http.ContractHandler;
import io.kindling.api.http.ErrorResponses;
import io.kindling.api.http.FollowLogsHandler;
import io.kindling.api.http.GetEventLogHandler;
import io.kindling.api.http.GetArtifactHandler;
import io.kindling.api.http.GetJobHandler;
import io.kindling.api.http.GetJobEventsHandler;
import io.kindling.api.http.GetJobLogsHandler;
import io.kindling.api.http.GetQueuesHandler;
import io.kindling.api.http.Health;
import io.kindling.api.http.HealthLiveHandler;
import io.kindling.api.http.HealthReadyHandler;
import io.kindling.api.http.HttpTracing;
import io.kindling.api.http.JobIdGenerator;
import io.kindling.api.http.ListJobsHandler;
import io.kindling.api.http.RequestContract;
import io.kindling.api.http.SessionOperations;
import io.kindling.api.http.SubmitJobHandler;
import io.kindling.api.sessions.GatewayAuthenticator;
import io.kindling.api.sessions.Sessions;
import io.kindling.api.http.UploadArtifactHandler;
import io.kindling.api.http.WatchJobsHandler;
import io.kindling.api.logs.EventLogArchive;
import io.kindling.api.logs.LogReader;
import io.kindling.api.logs.LogTails;
import io.kindling.api.ui.UiHandler;
import io.kindling.api.ui.UiSettings;
import io.kindling.api.view.EventsFollower;
import io.kindling.api.view.JobViewStore;
import io.kindling.blobstore.BlobStore;
import io.kindling.common.config.ConfigException;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.LiveWorkers;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.SchemaValidator;
import io.kindling.schemas.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.kindling.api.http.HttpMetrics;
import io.kindling.common.management.Management;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api: an HTTP server routed by the OpenAPI contract (one handler class per operation), a
 * producer for the commands topic, and a follower that folds the events topic into the job
 * views it serves. The {@link Vertx} and the {@link BlobStore} belong to the caller; everything
 * else is created here and closed by {@link #stop()}.
 */
public final class ApiServer {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    private static final int IO_THREADS = 16;
    private static final int IO_QUEUE = 512;
    static final String ARTIFACTS_PATH = "/v1/artifacts";
    /** How often the tokens file is checked for changes. */
    private static final long TOKENS_CHECK_MILLIS = 2_000;
    /** Where artifact uploads are streamed before they are stored (deleted when the request ends). */
    private static final Path UPLOADS_DIR = Path.of(System.getProperty("java.io.tmpdir"), "kindling-api-uploads");

    private final ApiConfig config;
    private final Vertx vertx;
    private final BlobStore blobs;
    private final Topics topics;
    private final LiveWorkers liveWorkers;
    private final JobViewStore views;
    private final IoExecutor io;
    private final CommandPublisher publisher;
    private final EventsFollower follower;
    private final DeadLetterPublisher deadLetters;
    private final Health health;
    private final StaticTokens tokens;
    private final JwtAuthenticator jwt;
    private final SubmitRateLimiter submitRate;
    private final ConnectionLimiter streams;
    private final ConnectionLimiter uploads;
    private final Management management;
    private final HttpMetrics httpMetrics;
    private final LogTails logTails;
    private final HttpTracing httpTracing;
    private final Sessions sessions;
    private volatile HttpServer server;
    private volatile long tokensTimer = -1;
    private boolean started; // guarded by this
    private Future<Void> stopped; // guarded by this

    public ApiServer(ApiConfig config, Vertx vertx, KafkaClients kafka, BlobStore blobs) {
        this(config, vertx, kafka, blobs, Management.inMemory(), null);
    }

    /** With the process's meter and health registries (the api registers its checks there). */
    public ApiServer(ApiConfig config, Vertx vertx, KafkaClients kafka, BlobStore blobs, Management management) {
        this(config, vertx, kafka, blobs, management, null);
    }

    /**
     * {@code eventsTopicId}: Kafka's id of the events topic once known (it checks that the job
     * store folded this very topic); null to look it up with an admin client of its own.
     */
    public ApiServer(ApiConfig config, Vertx vertx, KafkaClients kafka, BlobStore blobs, Management management,
            java.util.function.Supplier<String> eventsTopicId) {
        this.management = management;
        this.httpMetrics = new HttpMetrics(management.registry());
        this.httpTracing = new HttpTracing(management.tracing());
        AuthConfig auth = config.auth().requireConfigured();
        try {
            this.tokens = auth.tokensFile() == null ? null : StaticTokens.load(auth.tokensFile());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(AuthConfig.TOKENS_FILE.name() + ": " + e.getMessage());
        }
        this.jwt = auth.oidc() == null ? null : new JwtAuthenticator(auth.oidc());
        this.config = config;
        this.vertx = vertx;
        this.blobs = blobs;
        this.topics = config.kafka().topics();
        String instance = "kindling-api-" + UUID.randomUUID().toString().substring(0, 8);
        this.liveWorkers = new LiveWorkers(kafka, config.pools(), management, Clock.systemUTC());
        this.views = new JobViewStore(config.views(), Clock.systemUTC(), liveWorkers::waiting);
        this.io = new IoExecutor("kindling-api-io", IO_THREADS, IO_QUEUE);
        this.logTails = new LogTails(new LogReader(blobs), io::execute, LogTails.Settings.DEFAULT);
        this.publisher = new CommandPublisher(kafka.producer(instance + "-commands"), topics.commands(), io,
                config.publishTimeout());
        this.deadLetters = new DeadLetterPublisher(kafka.producer(instance + "-dead-letters"), topics.deadLetter(),
                "api " + instance, management.registry(), Clock.systemUTC());
        this.follower = new EventsFollower(
                kafka.consumer(null, instance + "-events", Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000")),
                topics.events(), views, "kindling-api-events",
                eventsTopicId != null ? eventsTopicId : () -> topicId(kafka, topics.events()), deadLetters)
                .watchedBy(management.health().loop("api.events", null));
        this.sessions = new Sessions(config.sessions(), config.host(), views,
                new GatewayAuthenticator(tokens, jwt, config.auth().disabled()),
                cancel -> publisher.publish(vertx.getOrCreateContext(), cancel).toCompletionStage(), Clock.systemUTC());
        this.health = new Health(follower);
        management.health().liveness("api", () -> health.notLive().isEmpty());
        management.health().readiness("api", this::ready);
        ApiLimits limits = config.limits();
        this.submitRate = new SubmitRateLimiter(limits.submitsPerSecond());
        this.streams = new ConnectionLimiter(limits.streamsPerPrincipal(), limits.streamsTotal());
        this.uploads = new ConnectionLimiter(Integer.MAX_VALUE, limits.concurrentUploads());
        Gauge.builder("kindling.api.streams", streams, ConnectionLimiter::inUse)
                .description("Open job event streams (SSE) and log followers").register(management.registry());
        Gauge.builder("kindling.api.uploads", uploads, ConnectionLimiter::inUse)
                .description("Artifact uploads in progress").register(management.registry());
        Gauge.builder("kindling.api.views", views, JobViewStore::size)
                .description("Jobs this api instance holds a view of").register(management.registry());
        Gauge.builder("kindling.api.watched.jobs", views, JobViewStore::watchedJobs)
                .description("Jobs with at least one event stream open").register(management.registry());
        Gauge.builder("kindling.api.watched.lists", views, JobViewStore::viewWatchers)
                .description("Open list-wide job streams (watchJobs)").register(management.registry());
        Gauge.builder("kindling.api.followed.logs", logTails, LogTails::followedStreams)
                .description("Log streams read once for all their followers").register(management.registry());
        if (auth.disabled()) {
            LOG.warn("authentication is DISABLED ({}=true): every caller on {} acts as an admin", AuthConfig.DISABLED.name(),
                    config.host());
        } else {
            LOG.info("authentication: {}{}", tokens == null ? "" : tokens.size() + " static tokens from " + tokens.file(),
                    auth.oidc() == null ? "" : (tokens == null ? "" : ", ") + "OIDC tokens of " + auth.oidc().issuer());
        }
    }

    /** Starts following the events topic and serving HTTP; completes with the port listened on. */
    public synchronized Future<Integer> start() {
        if (started || stopped != null) {
            return Future.failedFuture(new IllegalStateException("the api can be started once"));
        }
        started = true;
        follower.start();
        if (tokens != null) {
            tokensTimer = vertx.setPeriodic(TOKENS_CHECK_MILLIS, id -> {
                try {
                    io.execute(tokens::reloadIfChanged);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    LOG.debug("I/O pool full: the tokens file is checked on the next tick");
                }
            });
        }
        return vertx.<Void>executeBlocking(() -> {
                    sessions.start();
                    return null;
                })
                .compose(v -> ApiContract.load(vertx))
                .map(this::router)
                .compose(router -> vertx.createHttpServer(new HttpServerOptions()
                                .setHost(config.host())
                                .setPort(config.port()))
                        .requestHandler(router)
                        .listen())
                .map(listening -> {
                    server = listening;
                    sessions.sweepIdleEvery(vertx, io::execute);
                    health.httpUp();
                    LOG.info("api listening on {}:{}", config.host(), listening.actualPort());
                    return listening.actualPort();
                });
    }

    private Router router(OpenAPIContract contract) {
        int maxBytes = config.maxRequestBytes();
        RouterBuilder builder = RouterBuilder.create(vertx, contract);
        ContractHandler contractFiles = new ContractHandler();
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBytes);
        // an artifact upload streams its file part to a temporary file, under its own limit
        BodyHandler artifactUploads = BodyHandler.create(UPLOADS_DIR.toString()).setBodyLimit(config.maxArtifactBytes())
                .setDeleteUploadedFilesOnEnd(true);
        builder.rootHandler(httpMetrics.root());
        // authentication first, so nothing of an unauthenticated request's body is read
        builder.rootHandler(new AuthHandler(tokens, jwt, config.auth().disabled(), io));
        builder.rootHandler(ctx -> {
            if (isArtifactUpload(ctx)) {
                // a principal that may not upload is refused by the route before any byte is stored
                if (!Access.principal(ctx).has(Role.SUBMIT)) {
                    ctx.next();
                } else if (Limits.hold(ctx, uploads, "artifact uploads in progress")) {
                    artifactUploads.handle(ctx);
                }
            } else if (hasBody(ctx.request().method())) {
                bodies.handle(ctx);
            } else {
                ctx.next(); // no body to read (and Vert.x refuses to decode a form on GET, TRACE, ...)
            }
        });
        // parameters and media type from the document; the body by MessageReader, the dispatcher's own
        // reader of job-spec.schema.json (the schema the document refers to), which names the offending field
        SubmitJobHandler submitter = new SubmitJobHandler(new MessageReader(new SchemaValidator(), maxBytes), publisher, views,
                io, new JobIdGenerator(), Clock.systemUTC(), config.pools());
        CancelJobHandler cancels = new CancelJobHandler(publisher, views, Clock.systemUTC());
        operation(builder, RequestContract.of(contract, "submitJob").bodyReadByHandler(), Role.SUBMIT)
                .addHandler(Limits.submissions(submitRate, config.limits().submitsPerSecond()))
                .addHandler(submitter);
        operation(builder, contract, "getJob", Role.READ).addHandler(new GetJobHandler(views));
        operation(builder, contract, "listJobs", Role.READ).addHandler(new ListJobsHandler(views));
        operation(builder, contract, "cancelJob", Role.CANCEL).addHandler(cancels);
        // a session is a job (application spark-connect): submitted and cancelled by the same handlers
        SessionOperations sessionOperations = new SessionOperations(views, sessions::connectUrl, submitter, cancels);
        operation(builder, contract, "createSession", Role.SUBMIT)
                .addHandler(Limits.submissions(submitRate, config.limits().submitsPerSecond()))
                .addHandler(sessionOperations.create());
        operation(builder, contract, "getSession", Role.READ).addHandler(sessionOperations.get());
        operation(builder, contract, "listSessions", Role.READ).addHandler(sessionOperations.list());
        operation(builder, contract, "deleteSession", Role.CANCEL).addHandler(sessionOperations.delete());
        operation(builder, contract, "getJobEvents", Role.READ)
                .addHandler(Limits.connections(streams, "event and log streams", ctx -> true))
                .addHandler(new GetJobEventsHandler(views));
        // every change of the caller's tenants' job views (the UI's Jobs page); counted with the other streams
        operation(builder, contract, "watchJobs", Role.READ)
                .addHandler(Limits.connections(streams, "event and log streams", ctx -> true))
                .addHandler(new WatchJobsHandler(views));
        LogReader logs = new LogReader(blobs);
        operation(builder, contract, "getJobLogs", Role.READ)
                .addHandler(Limits.connections(streams, "event and log streams",
                        ctx -> "true".equalsIgnoreCase(ctx.queryParams().get("follow"))))
                .addHandler(new GetJobLogsHandler(views, logs, io, new FollowLogsHandler(views, logs, io, logTails),
                        config.limits().maxTailLines()));
        operation(builder, contract, "getJobEventLog", Role.READ)
                .addHandler(new GetEventLogHandler(views, logs, new EventLogArchive(blobs), io));
        operation(builder, contract, "getOpenApi").addHandler(contractFiles);
        operation(builder, contract, "healthLive").addHandler(new HealthLiveHandler(health));
        operation(builder, contract, "healthReady").addHandler(new HealthReadyHandler(health));
        ArtifactStore artifacts = new ArtifactStore(blobs);
        operation(builder, contract, "uploadArtifact", Role.SUBMIT).addHandler(
                new UploadArtifactHandler(artifacts, io, config.maxArtifactBytes()));
        operation(builder, contract, "getArtifact", Role.READ).addHandler(new GetArtifactHandler(artifacts, io));
        // read-only; a caller sees its tenants' jobs (an admin every tenant's)
        operation(builder, contract, "getQueues", Role.READ).addHandler(new GetQueuesHandler(views,
                GetQueuesHandler.poolsFromEnv(System.getenv()),
                ctx -> Access.principal(ctx).admin() ? null : Access.principal(ctx).tenants()));
        Router router = builder.createRouter();
        // the web UI (static files, same origin); its sign-in settings come from the same environment
        router.route(UiHandler.PREFIX + "*").handler(new UiHandler(vertx, UiSettings.fromEnv(System.getenv())));
        // the JSON Schemas the document refers to by relative name, beside it
        router.get("/:file").handler(contractFiles);
        ErrorResponses errors = new ErrorResponses(maxBytes, config.maxArtifactBytes())
                .withAllowedMethods(ContractHandler.allowedMethods(contract));
        router.route().failureHandler(errors);
        router.errorHandler(404, errors);
        router.errorHandler(405, errors);
        router.errorHandler(500, errors);
        return router;
    }

    private static boolean hasBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH
                || method == HttpMethod.DELETE;
    }

    /** A multipart POST to the artifacts path; any other body keeps the small limit (the handler answers 415). */
    private static boolean isArtifactUpload(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return ctx.request().method() == HttpMethod.POST && ARTIFACTS_PATH.equals(ctx.normalizedPath())
                && type != null && type.regionMatches(true, 0, "multipart/form-data", 0, "multipart/form-data".length());
    }

    /**
     * An operation open to everyone (health). Authentication is the {@link AuthHandler}'s, not the
     * contract's; request validation is {@link RequestContract}'s (the document's rules), not Vert.x's.
     */
    private OpenAPIRoute operation(RouterBuilder builder, OpenAPIContract contract, String operationId) {
        return route(builder, operationId).addHandler(RequestContract.of(contract, operationId));
    }

    /** An operation whose caller must hold {@code role}: checked first (403), then the document's request rules. */
    private OpenAPIRoute operation(RouterBuilder builder, OpenAPIContract contract, String operationId, Role role) {
        return operation(builder, RequestContract.of(contract, operationId), role);
    }

    private OpenAPIRoute operation(RouterBuilder builder, RequestContract rules, Role role) {
        return route(builder, rules.operationId()).addHandler(Access.require(role, rules.operationId())).addHandler(rules);
    }

    private OpenAPIRoute route(RouterBuilder builder, String operationId) {
        OpenAPIRoute route = builder.getRoute(operationId);
        if (route == null) {
            throw new IllegalStateException("the OpenAPI contract has no operation " + operationId);
        }
        return route.setDoSecurity(false).setDoValidation(false).addHandler(httpMetrics.operation(operationId))
                .addHandler(httpTracing.operation(operationId));
    }

    /** The session gateway this api runs, or null. */
    public SessionGateway gateway() {
        return sessions.gateway();
    }

    /** Kafka's id of {@code topic}, or null if it cannot be had now (the store then trusts its offsets). */
    private static String topicId(KafkaClients kafka, String topic) {
        try (org.apache.kafka.clients.admin.Admin admin = kafka.admin("kindling-api-topic-id")) {
            return admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).topicId().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warn("cannot tell the id of topic {} ({}); trusting the job store's offsets", topic, e.toString());
            return null;
        }
    }

    /** The views the api serves (folded from the events topic). */
    public JobViewStore views() {
        return views;
    }

    /** True once HTTP is up and the events topic has been read up to where it was at start-up. */
    public boolean ready() {
        return health.notReady().isEmpty();
    }

    /**
     * Stops in order, each step awaited: readiness false, HTTP (in-flight requests get up to 5 s),
     * the session gateway (listeners and relayed connections), the events follower and its dead-letter producer, the commands
     * producer (flushing what it holds), the I/O pool. Safe to call twice.
     */
    public synchronized Future<Void> stop() {
        if (stopped == null) {
            health.stopping();
            if (tokensTimer >= 0) {
                vertx.cancelTimer(tokensTimer);
            }
            sessions.stopSweeping(vertx);
            HttpServer http = server;
            Future<Void> httpStopped = http == null ? Future.succeededFuture() : http.shutdown(5, TimeUnit.SECONDS);
            stopped = httpStopped
                    .transform(ar -> {
                        if (ar.failed()) {
                            LOG.warn("stopping HTTP failed", ar.cause());
                        }
                        return vertx.<Void>executeBlocking(() -> {
                            closeQuietly("session gateway", sessions);
                            closeQuietly("events follower", follower);
                            closeQuietly("dead-letter producer", deadLetters);
                            closeQuietly("live workers", liveWorkers);
                            closeQuietly("job store", views);
                            closeQuietly("log followers' reader", logTails);
                            closeQuietly("commands producer", publisher);
                            closeQuietly("I/O pool", io);
                            return null;
                        });
                    })
                    .onSuccess(v -> LOG.info("api stopped"));
        }
        return stopped;
    }

    private static void closeQuietly(String name, AutoCloseable resource) {
        try {
            resource.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while stopping the {}", name);
        } catch (Exception e) {
            LOG.warn("stopping the {} failed", name, e);
        }
    }
}
