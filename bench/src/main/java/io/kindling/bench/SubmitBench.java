package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.api.ApiComponent;
import io.kindling.api.auth.AdminToken;
import io.kindling.broker.BrokerConfig;
import io.kindling.broker.EmbeddedKafkaBroker;
import io.kindling.common.management.Management;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The submit path alone: a real Kafka broker and the api in one JVM, as the api runs in its own
 * deployment (no dispatcher, worker or log-shipper beside it), every POST authenticated with the
 * admin token and answered 202 once the broker has acknowledged its command (acks=all). It offers
 * {@code ratePerSecond} POSTs a second, open loop ({@link JobPoster}), after a warm-up at the same
 * rate that is not counted. {@link ControlBench} measures the same POST → 202 inside the whole
 * stack, where the rest of each job's life shares the two cores.
 *
 * <p>Arguments: {@code [posts=30000] [ratePerSecond=500] [warmUpPosts=15000]}. It writes
 * {@code bench/results/submit-<time>.json}: POST → 202 percentiles, CPU per POST, this JVM's
 * collections, and the records on each topic per POST (the commands the broker holds).
 */
public final class SubmitBench {
    private SubmitBench() {
    }

    public static void main(String[] args) throws Exception {
        int posts = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 500;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 15_000;
        if (rate <= 0) {
            throw new IllegalArgumentException("the rate is POSTs a second, above 0, not " + rate);
        }
        Path dir = Files.createTempDirectory("kindling-bench");
        try (ApiAlone api = ApiAlone.start(dir);
                JobPoster poster = new JobPoster(api.url("/v1/jobs"), api.authorization(),
                        BenchStack.jobBody(Files.writeString(dir.resolve("app.py"), "# never run\n"), "0"))) {
            poster.run(warmup, rate);
            double cpu0 = ThreadCpu.processNanos() / 1e9;
            long collections0 = GcPauses.ownCount();
            long collectionMs0 = GcPauses.ownMillis();
            JobPoster.Run run = poster.run(posts, rate);
            double cpu = ThreadCpu.processNanos() / 1e9 - cpu0;
            ObjectNode json = BenchResults.start("submit");
            json.put("posts", posts);
            json.put("warmupPosts", warmup);
            json.put("offeredPostsPerSecond", rate);
            run.report(json);
            json.put("cpuMsPerPost", Percentiles.round(cpu * 1000 / posts));
            json.put("processCpuCores", Percentiles.round(cpu / run.seconds()));
            json.put("collections", GcPauses.ownCount() - collections0);
            json.put("collectionMs", GcPauses.ownMillis() - collectionMs0);
            json.set("offsetsPerPost", ControlBench.offsetsPerJob(api.bootstrapServers(), warmup + posts));
            json.put("loadAverage", Files.readString(Path.of("/proc/loadavg")).trim());
            BenchResults.write(json);
        } finally {
            BenchDirs.delete(dir);
        }
    }

    /** The broker and the api started as {@code ApiMain} starts it, on free ports, with an admin token; closed in reverse. */
    private record ApiAlone(EmbeddedKafkaBroker broker, Vertx vertx, ApiComponent api, String authorization)
            implements AutoCloseable {
        static ApiAlone start(Path dir) throws Exception {
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir.resolve("kafka")));
            Vertx vertx = Vertx.vertx();
            try {
                Map<String, String> env = BenchStack.baseEnv(dir, broker.bootstrapServers());
                env.put("KINDLING_HTTP_HOST", "127.0.0.1");
                env.put("KINDLING_AUTH_TOKENS_FILE", AdminToken.ensure(dir).toString());
                env.putAll(BenchStack.overrides(System.getProperties()));
                ApiComponent api = ApiComponent.start(env, vertx, Management.inMemory());
                return new ApiAlone(broker, vertx, api, BenchStack.adminAuthorization(dir));
            } catch (Exception | Error e) {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                broker.close();
                throw e;
            }
        }

        String url(String path) {
            return "http://127.0.0.1:" + api.port() + path;
        }

        String bootstrapServers() {
            return broker.bootstrapServers();
        }

        @Override
        public void close() throws Exception {
            try {
                api.close();
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } finally {
                broker.close();
            }
        }
    }
}
