package io.kindling.api.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kindling.api.auth.Access;
import io.kindling.api.auth.Principal;
import io.kindling.api.IoExecutor;
import io.kindling.api.logs.EventLogArchive;
import io.kindling.api.logs.LogReader;
import io.kindling.api.logs.LogTails;
import io.kindling.api.view.JobViewStore;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log handlers over HTTP, on a local-directory store and views fed by hand (no Kafka). */
class LogHandlersTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String TENANT = "acme";
    private static final String JOB = "job-1";

    @TempDir
    Path temp;
    private Vertx vertx;
    private BlobStore blobs;
    private IoExecutor io;
    private LogTails tails;
    private final JobViewStore views = new JobViewStore();
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        blobs = new LocalDirBlobStore(temp.resolve("blobs"));
        io = new IoExecutor("test-io", 4, 64);
        LogReader reader = new LogReader(blobs);
        Router router = Router.router(vertx);
        router.route().handler(Access.actingAs(Principal.ANONYMOUS_ADMIN));
        tails = new LogTails(reader, io::execute, LogTails.Settings.DEFAULT);
        OpenAPIContract contract = ApiContract.load(vertx).await(30, TimeUnit.SECONDS);
        router.get("/v1/jobs/:id/logs/:stream").handler(RequestContract.of(contract, "getJobLogs"))
                .handler(new GetJobLogsHandler(views, reader, io,
                new FollowLogsHandler(views, reader, io, tails)));
        router.get("/v1/jobs/:id/eventlog").handler(RequestContract.of(contract, "getJobEventLog"))
                .handler(new GetEventLogHandler(views, reader, new EventLogArchive(blobs), io));
        router.route().failureHandler(new ErrorResponses(1024 * 1024));
        int port = vertx.createHttpServer().requestHandler(router).listen(0).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).actualPort();
        base = "http://127.0.0.1:" + port;
        views.apply(JobEvents.job(JOB, JobState.QUEUED, Instant.now()).tenant(TENANT).build());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        tails.close();
        io.close();
        blobs.close();
    }

    private void attemptRuns() {
        views.apply(JobEvents.job(JOB, JobState.RUNNING, Instant.now()).attempt(1).tenant(TENANT).build());
    }

    private void append(String text) {
        String path = LogLayout.stream(TENANT, JOB, 1, LogStream.STDOUT);
        byte[] bytes = text.getBytes(UTF_8);
        blobs.append(path, blobs.length(path), bytes, 0, bytes.length);
    }

    private void index(boolean complete, List<String> eventLogs) {
        blobs.put(LogLayout.index(TENANT, JOB, 1), Json.encode(new LogIndex(JOB, 1, JOB + "-a1",
                Map.of("stdout", blobs.length(LogLayout.stream(TENANT, JOB, 1, LogStream.STDOUT))), eventLogs, complete,
                Instant.now())));
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(DEADLINE);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    @Test
    void readsARangeAndSaysWhereToGoOnAndWhetherTheLogIsComplete() throws Exception {
        attemptRuns();
        append("one\ntwo\nthree\n");

        HttpResponse<byte[]> first = get("/v1/jobs/job-1/logs/stdout?offset=0&limit=5");
        assertThat(new String(first.body(), UTF_8)).isEqualTo("one\nt");
        assertThat(header(first, "Kindling-Next-Offset")).isEqualTo("5");
        assertThat(header(first, "Kindling-Log-Complete")).isEqualTo("false");

        index(true, List.of());
        HttpResponse<byte[]> rest = get("/v1/jobs/job-1/logs/stdout?offset=5");
        assertThat(new String(rest.body(), UTF_8)).isEqualTo("wo\nthree\n");
        assertThat(header(rest, "Kindling-Log-Complete")).isEqualTo("true");
    }

    @Test
    void aLogRolledOverIntoPartsReadsAsOneStream() throws Exception {
        attemptRuns();
        String path = LogLayout.stream(TENANT, JOB, 1, LogStream.STDOUT);
        PartedAppendLog shipper = new PartedAppendLog(blobs, 3);
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 8; i++) { // parts of 3, 3 and 2 appends
            byte[] line = ("line " + i + "\n").getBytes(UTF_8);
            shipper.append(path, text.length(), line, 0, line.length);
            text.append("line ").append(i).append('\n');
        }
        assertThat(blobs.list(path)).containsExactly(path, path + ".part-0001", path + ".part-0002");
        index(false, List.of());

        HttpResponse<byte[]> across = get("/v1/jobs/job-1/logs/stdout?offset=19&limit=30");
        assertThat(new String(across.body(), UTF_8)).isEqualTo(text.substring(19, 49));
        assertThat(header(across, "Kindling-Next-Offset")).isEqualTo("49");
        assertThat(new String(get("/v1/jobs/job-1/logs/stdout").body(), UTF_8)).isEqualTo(text.toString());
        HttpResponse<byte[]> tail = get("/v1/jobs/job-1/logs/stdout?tail=4");
        assertThat(new String(tail.body(), UTF_8)).isEqualTo("line 5\nline 6\nline 7\nline 8\n");
        assertThat(header(tail, "Kindling-Offset")).isEqualTo(Integer.toString(text.indexOf("line 5")));

        blobs.put(LogLayout.index(TENANT, JOB, 1), Json.encode(new LogIndex(JOB, 1, JOB + "-a1",
                Map.of("stdout", (long) text.length()), List.of(), true, Instant.now())));
        HttpResponse<byte[]> followed = get("/v1/jobs/job-1/logs/stdout?follow=true&offset=10");
        assertThat(new String(followed.body(), UTF_8)).isEqualTo(text.substring(10));
        HttpResponse<byte[]> end = get("/v1/jobs/job-1/logs/stdout?offset=" + text.length());
        assertThat(end.body()).isEmpty();
        assertThat(header(end, "Kindling-Log-Complete")).isEqualTo("true");
    }

    @Test
    void tailStartsAtTheFirstOfTheLastLines() throws Exception {
        attemptRuns();
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 20_000; i++) {
            text.append("line ").append(i).append('\n'); // more than one backwards scan step
        }
        append(text.toString());

        HttpResponse<byte[]> tail = get("/v1/jobs/job-1/logs/stdout?tail=3");
        assertThat(new String(tail.body(), UTF_8)).isEqualTo("line 19998\nline 19999\nline 20000\n");
        long offset = Long.parseLong(header(tail, "Kindling-Offset"));
        assertThat(offset).isEqualTo(text.length() - "line 19998\nline 19999\nline 20000\n".length());
        assertThat(header(tail, "Kindling-Next-Offset")).isEqualTo(Integer.toString(text.length()));

        append("unfinished");
        assertThat(new String(get("/v1/jobs/job-1/logs/stdout?tail=2").body(), UTF_8))
                .isEqualTo("line 20000\nunfinished");
        assertThat(get("/v1/jobs/job-1/logs/stdout?tail=0").body()).isEmpty();
        assertThat(new String(get("/v1/jobs/job-1/logs/stdout?tail=100000").body(), UTF_8)).startsWith("line 1\n");
    }

    @Test
    void followWaitsForTheAttemptStreamsItsBytesAndEndsOnceTheLogIsComplete() throws Exception {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        AtomicBoolean ended = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = http.send(HttpRequest.newBuilder(
                    URI.create(base + "/v1/jobs/job-1/logs/stdout?follow=true")).build(),
                    HttpResponse.BodyHandlers.ofInputStream()).body()) {
                byte[] buffer = new byte[1024];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (received) {
                        received.write(buffer, 0, n);
                    }
                }
                ended.set(true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        attemptRuns(); // the job gets its attempt while the follower waits
        append("first\n");
        await().atMost(DEADLINE).until(() -> text(received).equals("first\n"));
        append("second\n");
        index(false, List.of());
        await().atMost(DEADLINE).until(() -> text(received).equals("first\nsecond\n"));
        assertThat(ended).isFalse();

        append("last\n");
        index(true, List.of());
        await().atMost(DEADLINE).until(ended::get);
        assertThat(text(received)).isEqualTo("first\nsecond\nlast\n");
        reader.join();
    }

    @Test
    void followFromAnOffsetResumesExactlyThere() throws Exception {
        attemptRuns();
        append("0123456789");
        index(true, List.of());

        HttpResponse<byte[]> resumed = get("/v1/jobs/job-1/logs/stdout?follow=true&offset=4");
        assertThat(new String(resumed.body(), UTF_8)).isEqualTo("456789");
        assertThat(header(resumed, "Kindling-Offset")).isEqualTo("4");
        assertThat(new String(get("/v1/jobs/job-1/logs/stdout?follow=true&tail=1").body(), UTF_8))
                .isEqualTo("0123456789");
    }

    @Test
    void followAsServerSentEventsCarriesWholeLinesWithTheirOffsets() throws Exception {
        attemptRuns();
        append("l1\nl2\n");
        index(true, List.of());

        HttpResponse<byte[]> events = get("/v1/jobs/job-1/logs/stdout?follow=true", "Accept", "text/event-stream");
        assertThat(header(events, "Content-Type")).startsWith("text/event-stream");
        assertThat(new String(events.body(), UTF_8)).isEqualTo("id: 6\ndata: l1\ndata: l2\n\nevent: end\nid: 6\ndata: complete\n\n");

        HttpResponse<byte[]> resumed = get("/v1/jobs/job-1/logs/stdout?follow=true", "Accept", "text/event-stream",
                "Last-Event-ID", "3");
        assertThat(new String(resumed.body(), UTF_8)).startsWith("id: 6\ndata: l2\n\n");
    }

    @Test
    void unknownJobsAndAttemptsAre404() throws Exception {
        assertThat(get("/v1/jobs/nope/logs/stdout").statusCode()).isEqualTo(404);
        assertThat(get("/v1/jobs/job-1/logs/stdout").statusCode()).isEqualTo(404);
        assertThat(get("/v1/jobs/job-1/logs/stdout?tail=1&offset=2").statusCode()).isEqualTo(400);
        assertThat(get("/v1/jobs/job-1/logs/stdout?follow=maybe").statusCode()).isEqualTo(400);
        views.apply(JobEvents.job(JOB, JobState.CANCELLED, Instant.now()).tenant(TENANT).build());
        // a follower waits for a job's first attempt, but not for one that ended without any
        assertThat(get("/v1/jobs/job-1/logs/stdout?follow=true").statusCode()).isEqualTo(404);
    }

    @Test
    void aRollingEventLogIsZippedAndASingleOneSentAsItIs() throws Exception {
        attemptRuns();
        String dir = LogLayout.eventLog(TENANT, "eventlog_v2_local-1/");
        blobs.append(dir + "events_1_local-1.zstd", 0, new byte[] {1, 2, 3}, 0, 3);
        blobs.append(dir + "appstatus_local-1", 0, new byte[0], 0, 0);
        assertThat(get("/v1/jobs/job-1/eventlog").statusCode()).isEqualTo(404);

        index(true, List.of(dir + "appstatus_local-1", dir + "events_1_local-1.zstd"));
        HttpResponse<byte[]> zip = get("/v1/jobs/job-1/eventlog");
        assertThat(zip.statusCode()).isEqualTo(200);
        assertThat(header(zip, "Content-Type")).isEqualTo("application/zip");
        List<String> entries = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                entries.add(entry.getName() + ":" + in.readAllBytes().length);
            }
        }
        assertThat(entries).containsExactly("eventlog_v2_local-1/appstatus_local-1:0",
                "eventlog_v2_local-1/events_1_local-1.zstd:3");

        index(true, List.of(dir + "events_1_local-1.zstd"));
        HttpResponse<byte[]> single = get("/v1/jobs/job-1/eventlog?attempt=1");
        assertThat(single.body()).containsExactly(1, 2, 3);
        assertThat(header(single, "Content-Disposition")).contains("events_1_local-1.zstd");
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(UTF_8);
        }
    }
}
