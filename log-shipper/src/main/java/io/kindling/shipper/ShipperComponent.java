package io.kindling.shipper;

import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStores;
import io.kindling.common.lifecycle.ShutdownSequence;
import java.time.Clock;
import java.util.Map;

/**
 * The running log-shipper: its blob store (when it opened it) and its {@link LogShipper}. The
 * entry point for {@link ShipperMain} and for the embedded launcher; {@link #close()} stops the
 * shipper after its current round, then closes the store it opened.
 */
public final class ShipperComponent implements AutoCloseable {
    private final ShutdownSequence shutdown;

    private ShipperComponent(ShutdownSequence shutdown) {
        this.shutdown = shutdown;
    }

    /** Reads the configuration from env, opens the blob store it names and starts shipping. */
    public static ShipperComponent start(Map<String, String> env) {
        return start(ShipperConfig.fromEnv(env));
    }

    /** Opens the blob store config names and starts shipping; close() closes the store too. */
    public static ShipperComponent start(ShipperConfig config) {
        ShutdownSequence shutdown = new ShutdownSequence();
        try {
            BlobStore store = shutdown.add("blob store", BlobStores.open(config.blobStore()));
            shutdown.add("log shipper", new LogShipper(config, store, Clock.systemUTC()).start());
            return new ShipperComponent(shutdown);
        } catch (RuntimeException e) {
            shutdown.close();
            throw e;
        }
    }

    /** Starts shipping into a store the caller owns and closes itself (config.blobStore() is not used). */
    public static ShipperComponent start(ShipperConfig config, BlobStore store) {
        ShutdownSequence shutdown = new ShutdownSequence();
        shutdown.add("log shipper", new LogShipper(config, store, Clock.systemUTC()).start());
        return new ShipperComponent(shutdown);
    }

    @Override
    public void close() {
        shutdown.close();
    }
}
