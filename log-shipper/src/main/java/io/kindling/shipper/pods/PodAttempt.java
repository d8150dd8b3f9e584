package io.kindling.shipper.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.kindling.blobstore.BlobPaths;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import java.util.Map;
import java.util.Optional;

/**
 * Whose driver a pod runs, from its labels: {@value #ATTEMPT_ID}, {@value #TENANT},
 * {@value #JOB_ID} and {@value #ATTEMPT}. The pod's log (the driver's stdout and stderr, as the
 * container runtime interleaves them) is shipped to the attempt's {@code stdout} blob.
 */
record PodAttempt(String podName, String tenant, String jobId, int attempt, String attemptId) {
    static final String ATTEMPT_ID = "kindling.io/attempt-id";
    static final String TENANT = "kindling.io/tenant";
    static final String JOB_ID = "kindling.io/job-id";
    static final String ATTEMPT = "kindling.io/attempt";

    /** The attempt a pod's labels name, or why they do not name one. */
    static Optional<PodAttempt> of(Pod pod, StringBuilder problem) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String attemptId = labels.get(ATTEMPT_ID);
        String tenant = labels.get(TENANT);
        String jobId = labels.get(JOB_ID);
        String number = labels.get(ATTEMPT);
        if (attemptId == null || tenant == null || jobId == null || number == null) {
            problem.append("labels ").append(TENANT).append(", ").append(JOB_ID).append(" and ").append(ATTEMPT)
                    .append(" are required");
            return Optional.empty();
        }
        int attempt;
        try {
            attempt = Integer.parseInt(number);
        } catch (NumberFormatException e) {
            problem.append(ATTEMPT).append(" is not a number: ").append(number);
            return Optional.empty();
        }
        if (attempt < 1 || !BlobPaths.isValidSegment(tenant) || !BlobPaths.isValidSegment(jobId)) {
            problem.append("tenant, job id or attempt cannot name a blob path");
            return Optional.empty();
        }
        return Optional.of(new PodAttempt(pod.getMetadata().getName(), tenant, jobId, attempt, attemptId));
    }

    String blob(LogStream stream) {
        return LogLayout.stream(tenant, jobId, attempt, stream);
    }

    String index() {
        return LogLayout.index(tenant, jobId, attempt);
    }
}
