package io.kindling.shipper;

import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.PartedAppendLog;
import io.kindling.common.logs.LogIndex;
import io.kindling.common.logs.LogLayout;
import io.kindling.common.logs.LogStream;
import io.kindling.schemas.Json;
import java.util.Optional;

/** Reads what the shipper put into a store. */
record StoredLogs(BlobStore store, String tenant, String jobId, int attempt) {

    /** The whole stream, across its parts. */
    byte[] stream(LogStream stream) {
        return new PartedAppendLog(store).read(LogLayout.stream(tenant, jobId, attempt, stream), 0, Integer.MAX_VALUE)
                .map(BlobRead::bytes).orElse(new byte[0]);
    }

    boolean streamExists(LogStream stream) {
        return store.read(LogLayout.stream(tenant, jobId, attempt, stream), 0, 0).isPresent();
    }

    Optional<LogIndex> index() {
        return store.get(LogLayout.index(tenant, jobId, attempt)).map(bytes -> Json.decode(bytes, LogIndex.class));
    }

    boolean complete() {
        return index().map(LogIndex::complete).orElse(false);
    }

    byte[] blob(String path) {
        return store.read(path, 0, Integer.MAX_VALUE).map(BlobRead::bytes).orElse(new byte[0]);
    }
}
