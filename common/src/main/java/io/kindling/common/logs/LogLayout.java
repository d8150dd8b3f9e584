package io.kindling.common.logs;

/**
 * Where an attempt's logs live in blob storage. The log-shipper writes these paths, the api reads
 * them:
 * <pre>
 *   logs/&lt;tenant&gt;/&lt;jobId&gt;/&lt;attempt&gt;/stdout          append blob
 *   logs/&lt;tenant&gt;/&lt;jobId&gt;/&lt;attempt&gt;/stderr          append blob
 *   logs/&lt;tenant&gt;/&lt;jobId&gt;/&lt;attempt&gt;/index.json      {@link LogIndex}
 *   eventlogs/&lt;tenant&gt;/&lt;sparkAppId or file&gt;           Spark event logs (History Server directory)
 * </pre>
 */
public final class LogLayout {
    private LogLayout() {
    }

    public static String attemptPrefix(String tenant, String jobId, int attempt) {
        return "logs/" + tenant + "/" + jobId + "/" + attempt + "/";
    }

    public static String stream(String tenant, String jobId, int attempt, LogStream stream) {
        return attemptPrefix(tenant, jobId, attempt) + stream.fileName();
    }

    public static String index(String tenant, String jobId, int attempt) {
        return attemptPrefix(tenant, jobId, attempt) + "index.json";
    }

    public static String eventLog(String tenant, String fileName) {
        return "eventlogs/" + tenant + "/" + fileName;
    }
}
