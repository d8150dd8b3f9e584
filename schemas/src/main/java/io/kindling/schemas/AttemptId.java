package io.kindling.schemas;

/**
 * The deterministic identity of one attempt of one job: {@code <jobId>-a<attempt>}. Spark app
 * names, spool directories, blob paths and driver pods are named by it, so a restarted worker
 * adopts what already runs instead of launching it again.
 */
public final class AttemptId {
    private AttemptId() {
    }

    public static String of(String jobId, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        return jobId + "-a" + attempt;
    }
}
