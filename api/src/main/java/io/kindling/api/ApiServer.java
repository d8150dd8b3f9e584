package io.kindling.api;

import io.kindling.api.artifacts.ArtifactStore;
import io.kindling.api.http.ApiContract;
import io.kindling.api.http.CancelJobHandler;
import io.kindling.api.http.ErrorResponses;
import io.kindling.api.http.FollowLogsHandler;
import io.kindling.api.http.GetEventLogHandler;
import io.kindling.api.http.GetArtifactHandler;
import io.kindling.api.http.GetJobHandler;
import io.kindling.api.http.GetJobEventsHandler;
import io.kindling.api.http.GetJobLogsHandler;
import io.kindling.api.http.Health;
import io.kindling.api.http.HealthLiveHandler;
import io.kindling.api.http.HealthReadyHandler;
import io.kindling.api.http.JobIdGenerator;
import io.kindling.api.http.ListJobsHandler;
import io.kindling.api.http.SubmitJobHandler;
import io.kindling.api.http.UploadArtifactHandler;
import io.kindling.api.logs.EventLogArchive;
import io.kindling.api.logs.LogReader;
import io.kindling.api.view.EventsFollower;
import io.kindling.api.view.JobViewStore;
import io.kindling.blobstore.BlobStore;
import io.kindling.common.kafka.KafkaClients;
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
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
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
    /** Where artifact uploads are streamed before they are stored (deleted when the request ends). */
    private static final Path UPLOADS_DIR = Path.of(System.getProperty("java.io.tmpdir"), "kindling-api-uploads");

    private final ApiConfig config;
    private final Vertx vertx;
    private final BlobStore blobs;
    private final Topics topics;
    private final JobViewStore views;
    private final IoExecutor io;
    private final CommandPublisher publisher;
    private final EventsFollower follower;
    private final Health health;
    private volatile HttpServer server;
    private boolean started; // guarded by this
    private Future<Void> stopped; // guarded by this

    public ApiServer(ApiConfig config, Vertx vertx, KafkaClients kafka, BlobStore blobs) {
        this(config, vertx, kafka, blobs, null);
    }

    /**
     * {@code eventsTopicId}: Kafka's id of the events topic once known (it checks that the job
     * store folded this very topic); null to look it up with an admin client of its own.
     */
    public ApiServer(ApiConfig config, Vertx vertx, KafkaClients kafka, BlobStore blobs,
            java.util.function.Supplier<String> eventsTopicId) {
        this.config = config;
        this.vertx = vertx;
        this.blobs = blobs;
        this.topics = config.kafka().topics();
        String instance = "kindling-api-" + UUID.randomUUID().toString().substring(0, 8);
        this.views = new JobViewStore(config.views(), Clock.systemUTC());
        this.io = new IoExecutor("kindling-api-io", IO_THREADS, IO_QUEUE);
        this.publisher = new CommandPublisher(kafka.producer(instance + "-commands"), topics.commands(), io,
                config.publishTimeout());
        this.follower = new EventsFollower(
                kafka.consumer(null, instance + "-events", Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false",
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000")),
                topics.events(), views, "kindling-api-events",
                eventsTopicId != null ? eventsTopicId : () -> topicId(kafka, topics.events()));
        this.health = new Health(follower);
    }

    /** Starts following the events topic and serving HTTP; completes with the port listened on. */
    public synchronized Future<Integer> start() {
        if (started || stopped != null) {
            return Future.failedFuture(new IllegalStateException("the api can be started once"));
        }
        started = true;
        follower.start();
        return ApiContract.load(vertx)
                .map(this::router)
                .compose(router -> vertx.createHttpServer(new HttpServerOptions()
                                .setHost(config.host())
                                .setPort(config.port()))
                        .requestHandler(router)
                        .listen())
                .map(listening -> {
                    server = listening;
                    health.httpUp();
                    LOG.info("api listening on {}:{}", config.host(), listening.actualPort());
                    return listening.actualPort();
                });
    }

    private Router router(OpenAPIContract contract) {
        int maxBytes = config.maxRequestBytes();
        RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBytes);
        // an artifact upload streams its file part to a temporary file, under its own limit
        BodyHandler uploads = BodyHandler.create(UPLOADS_DIR.toString()).setBodyLimit(config.maxArtifactBytes())
                .setDeleteUploadedFilesOnEnd(true);
        builder.rootHandler(ctx -> (isArtifactUpload(ctx) ? uploads : bodies).handle(ctx));
        // the body is checked by MessageReader, the dispatcher's own rules, not by the contract's validator
        operation(builder, "submitJob").setDoValidation(false).addHandler(new SubmitJobHandler(
                new MessageReader(new SchemaValidator(), maxBytes), publisher, views, io, new JobIdGenerator(),
                Clock.systemUTC(), config.pools()));
        operation(builder, "getJob").addHandler(new GetJobHandler(views));
        // listJobs and cancelJob check their own parameters and body, to name the offending one
        operation(builder, "listJobs").setDoValidation(false).addHandler(new ListJobsHandler(views));
        operation(builder, "cancelJob").setDoValidation(false).addHandler(
                new CancelJobHandler(publisher, views, Clock.systemUTC()));
        operation(builder, "getJobEvents").addHandler(new GetJobEventsHandler(views));
        LogReader logs = new LogReader(blobs);
        operation(builder, "getJobLogs").addHandler(new GetJobLogsHandler(views, logs, io,
                new FollowLogsHandler(views, logs, io)));
        operation(builder, "getJobEventLog").addHandler(new GetEventLogHandler(views, logs, new EventLogArchive(blobs), io));
        operation(builder, "healthLive").addHandler(new HealthLiveHandler(health));
        operation(builder, "healthReady").addHandler(new HealthReadyHandler(health));
        ArtifactStore artifacts = new ArtifactStore(blobs);
        // the multipart body is checked by the handler, which names the offending part
        operation(builder, "uploadArtifact").setDoValidation(false).addHandler(
                new UploadArtifactHandler(artifacts, io, config.maxArtifactBytes()));
        operation(builder, "getArtifact").addHandler(new GetArtifactHandler(artifacts, io));
        Router router = builder.createRouter();
        ErrorResponses errors = new ErrorResponses(maxBytes, config.maxArtifactBytes());
        router.route().failureHandler(errors);
        router.errorHandler(404, errors);
        router.errorHandler(405, errors);
        router.errorHandler(500, errors);
        return router;
    }

    /** A multipart POST to the artifacts path; any other body keeps the small limit (the handler answers 415). */
    private static boolean isArtifactUpload(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return ctx.request().method() == HttpMethod.POST && ARTIFACTS_PATH.equals(ctx.normalizedPath())
                && type != null && type.regionMatches(true, 0, "multipart/form-data", 0, "multipart/form-data".length());
    }

    private static OpenAPIRoute operation(RouterBuilder builder, String operationId) {
        OpenAPIRoute route = builder.getRoute(operationId);
        if (route == null) {
            throw new IllegalStateException("the OpenAPI contract has no operation " + operationId);
        }
        return route;
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
     * the events follower, the producer (flushing what it holds), the I/O pool. Safe to call twice.
     */
    public synchronized Future<Void> stop() {
        if (stopped == null) {
            health.stopping();
            HttpServer http = server;
            Future<Void> httpStopped = http == null ? Future.succeededFuture() : http.shutdown(5, TimeUnit.SECONDS);
            stopped = httpStopped
                    .transform(ar -> {
                        if (ar.failed()) {
                            LOG.warn("stopping HTTP failed", ar.cause());
                        }
                        return vertx.<Void>executeBlocking(() -> {
                            closeQuietly("events follower", follower);
                            closeQuietly("job store", views);
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
