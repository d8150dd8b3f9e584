package io.kindling.worker;

import java.util.Arrays;
import java.util.List;

/** The processes of one attempt on this host, found by the attempt id in their command line. */
final class AttemptProcesses {
    private static final String SPARK_SUBMIT_CLASS = "org.apache.spark.deploy.SparkSubmit";

    private AttemptProcesses() {
    }

    /** Every live process whose arguments mention {@code attemptId} (the shim, spark-submit's JVM). */
    static List<ProcessHandle> mentioning(String attemptId) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(args -> Arrays.stream(args).anyMatch(a -> a.contains(attemptId)))
                        .orElse(false))
                .toList();
    }

    /** The spark-submit JVMs of the attempt (spark-submit execs its JVM, which runs SparkSubmit with --name attemptId). */
    static List<ProcessHandle> sparkSubmits(String attemptId) {
        return mentioning(attemptId).stream()
                .filter(p -> p.info().arguments().map(args -> Arrays.asList(args).contains(SPARK_SUBMIT_CLASS))
                        .orElse(false))
                .toList();
    }

    /** {@code root} and all its descendants, as they are now. */
    static List<ProcessHandle> tree(ProcessHandle root) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(root), root.descendants()).toList();
    }

    static void killAll(String attemptId) {
        mentioning(attemptId).forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }
}
