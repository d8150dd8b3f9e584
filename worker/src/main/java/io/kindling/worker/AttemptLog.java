package io.kindling.worker;

import org.slf4j.MDC;

/**
 * Puts an attempt's {@code jobId} and {@code attempt} into the logging context (SLF4J MDC) of the
 * current thread, so that every line logged about it carries them. Pair each {@link #enter} with
 * {@link #leave} in a {@code finally}.
 */
public final class AttemptLog {
    public static final String JOB_ID = "jobId";
    public static final String ATTEMPT = "attempt";

    private AttemptLog() {
    }

    public static void enter(String jobId, int attempt) {
        MDC.put(JOB_ID, jobId);
        MDC.put(ATTEMPT, Integer.toString(attempt));
    }

    public static void leave() {
        MDC.remove(JOB_ID);
        MDC.remove(ATTEMPT);
    }
}
