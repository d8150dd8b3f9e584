package io.kindling.common.logs;

/**
 * Where an attempt's logs live in blob storage. The log-shipper writes these paths, the api reads
 * them:
 * <pre>
 *   logs/&lt;tenant&gt;/&lt;jobId&gt;/&lt;attempt&gt;/stdout          append blob: part 0 of the stream
 *   logs/&lt;tenant&gt;/&lt;jobId&gt;/&lt;attempt&gt;/stdout.part-0001 append blob: part 1, once part 0 is full, ...
 *   logs/&lt;tenant&gt;/&lt;jobId&gt;/&lt;attempt&gt;/stderr          append blob (and its parts, the same way)
 *   logs/&lt;tenant&gt;/&lt;jobId&gt;/&lt;attempt&gt;/index.json      {@link LogIndex}
 *   eventlogs/&lt;tenant&gt;/&lt;sparkAppId or file&gt;           Spark event logs (History Server directory)
 * </pre>
 * A stream is one logical byte stream kept as a chain of append blobs, so that it can outgrow
 * Azure's 50,000 blocks per append blob: {@link #stream} names part 0, and blob-store's
 * {@code PartedAppendLog} adds {@code .part-000n} for the next parts, appends and reads across
 * them. Offsets and the sizes in {@link LogIndex} are logical (across parts). Event logs are
 * single blobs, as the History Server reads them. A stream that stayed empty has no blob: its
 * length in the index is 0.
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
