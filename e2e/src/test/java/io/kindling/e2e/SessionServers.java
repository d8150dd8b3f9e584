package io.kindling.e2e;

import io.kindling.worker.launcher.SparkConnectServer;
import java.util.List;

/** Finds a session's Spark Connect server on this host: the JVM running its class with a given argument. */
final class SessionServers {
    private SessionServers() {
    }

    /** The server's JVM whose arguments include {@code argument} (e.g. {@code spark.kindling.jobId=<id>}). */
    static ProcessHandle find(String argument) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .filter(p -> p.info().arguments().map(List::of)
                        .map(a -> a.contains(SparkConnectServer.MAIN_CLASS) && a.contains(argument)).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no Spark Connect server runs with " + argument));
    }
}
