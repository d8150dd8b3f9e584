package io.kindling.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kindling.blobstore.LocalDirBlobStore;
import io.kindling.common.spool.SpoolAttempt;
import io.kindling.common.spool.SpoolExit;
import io.kindling.common.spool.SpoolLayout;
import io.kindling.schemas.AttemptId;
import io.kindling.schemas.Json;
import io.kindling.shipper.LogShipper;
import io.kindling.shipper.ShipperConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * The log-shipper alone: a spool of ended attempts with empty output (what the no-op launcher
 * leaves), shipped into a local-directory store; how many attempts a second it ships until the
 * spool is empty, and its threads' CPU per attempt. Writes {@code bench/results/shipper-<time>.json}.
 */
public final class ShipperBench {
    private ShipperBench() {
    }

    public static void main(String[] args) throws Exception {
        int attempts = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Path dir = Files.createTempDirectory("kindling-shipper-bench");
        SpoolLayout spool = new SpoolLayout(dir.resolve("spool"));
        for (int i = 0; i < attempts; i++) {
            String jobId = "job-" + i;
            String attemptId = AttemptId.of(jobId, 1);
            Files.createDirectories(spool.attemptDir(attemptId));
            Files.write(spool.attemptFile(attemptId), Json.encode(
                    new SpoolAttempt(jobId, 1, attemptId, "bench", "default", "worker-1", Instant.now())));
            Files.createFile(spool.stream(attemptId, "stdout"));
            Files.createFile(spool.stream(attemptId, "stderr"));
            Files.write(spool.exitFile(attemptId), Json.encode(new SpoolExit(0, Instant.now())));
        }
        ShipperConfig config = ShipperConfig.fromEnv(Map.of("KINDLING_SPOOL_DIR", spool.root().toString(),
                "KINDLING_BLOB_DIR", dir.resolve("blobs").toString()));
        ThreadCpu cpu = new ThreadCpu();
        Instant start = Instant.now();
        ObjectNode drain;
        try (LocalDirBlobStore store = new LocalDirBlobStore(dir.resolve("blobs"));
                LogShipper shipper = new LogShipper(config, store, Clock.systemUTC())) {
            shipper.start();
            drain = ShipperDrain.await(spool.root(), start, cpu, attempts);
        }
        BenchDirs.delete(dir);
        ObjectNode json = BenchResults.start("shipper");
        json.put("attempts", attempts);
        json.setAll(drain);
        json.put("loadAverage", Files.readString(Path.of("/proc/loadavg")).trim());
        BenchResults.write(json);
    }
}
