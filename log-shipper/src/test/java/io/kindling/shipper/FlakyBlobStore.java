package io.kindling.shipper;

import io.kindling.blobstore.BlobRead;
import io.kindling.blobstore.BlobStore;
import io.kindling.blobstore.BlobStoreException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A store that fails on demand: a fake of our own seam in front of a real store. */
final class FlakyBlobStore implements BlobStore {
    private final BlobStore delegate;
    private final AtomicInteger callsToFail = new AtomicInteger();
    private final AtomicInteger appendResponsesToLose = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicReference<Runnable> afterNextVersionedRead =
            new java.util.concurrent.atomic.AtomicReference<>();

    private volatile CountDownLatch appendsTogether = new CountDownLatch(0);

    FlakyBlobStore(BlobStore delegate) {
        this.delegate = delegate;
    }

    /** The next n calls fail before reaching the store. */
    void failNextCalls(int n) {
        callsToFail.set(n);
    }

    /** Runs {@code write} once, right after the next {@link #getVersioned} read: another writer's race. */
    void afterNextVersionedRead(Runnable write) {
        afterNextVersionedRead.set(write);
    }

    /** The next n appends reach the store, but the caller sees a failure (a lost response). */
    void loseNextAppendResponses(int n) {
        appendResponsesToLose.set(n);
    }

    /**
     * Appends wait (up to a minute) until n of them are waiting together: a shipper that appends
     * one at a time gets through only after that minute.
     */
    void holdAppendsUntilTogether(int n) {
        appendsTogether = new CountDownLatch(n);
    }

    /** True once the n appends of {@link #holdAppendsUntilTogether} were waiting together. */
    boolean appendsWereTogether() {
        return appendsTogether.getCount() == 0;
    }

    int injectedFailures() {
        return injected.get();
    }

    private void maybeFail(String operation) {
        if (takeOne(callsToFail)) {
            throw new BlobStoreException("injected failure of " + operation, true);
        }
    }

    private boolean takeOne(AtomicInteger counter) {
        boolean take = counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        if (take) {
            injected.incrementAndGet();
        }
        return take;
    }

    @Override
    public long length(String path) {
        maybeFail("length");
        return delegate.length(path);
    }

    @Override
    public long committedBlockCount(String path) {
        maybeFail("committedBlockCount");
        return delegate.committedBlockCount(path);
    }

    @Override
    public void append(String path, long expectedLength, byte[] data, int off, int len) {
        maybeFail("append");
        CountDownLatch together = appendsTogether;
        together.countDown();
        try {
            together.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BlobStoreException("interrupted while holding an append to " + path, true);
        }
        delegate.append(path, expectedLength, data, off, len);
        if (takeOne(appendResponsesToLose)) {
            throw new BlobStoreException("injected lost response of an append to " + path, true);
        }
    }

    @Override
    public Optional<BlobRead> read(String path, long offset, int maxBytes) {
        maybeFail("read");
        return delegate.read(path, offset, maxBytes);
    }

    @Override
    public void put(String path, byte[] data) {
        maybeFail("put");
        delegate.put(path, data);
    }

    @Override
    public Optional<byte[]> get(String path) {
        maybeFail("get");
        return delegate.get(path);
    }

    @Override
    public Optional<io.kindling.blobstore.VersionedBlob> getVersioned(String path) {
        maybeFail("get");
        Optional<io.kindling.blobstore.VersionedBlob> read = delegate.getVersioned(path);
        Runnable race = afterNextVersionedRead.getAndSet(null);
        if (race != null) {
            race.run();
        }
        return read;
    }

    @Override
    public String putIfVersion(String path, byte[] data, String expectedVersion) {
        maybeFail("put");
        return delegate.putIfVersion(path, data, expectedVersion);
    }

    @Override
    public List<String> list(String prefix) {
        maybeFail("list");
        return delegate.list(prefix);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
