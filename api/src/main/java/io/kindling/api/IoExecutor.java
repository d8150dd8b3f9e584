package io.kindling.api;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The named, bounded pool on which the api makes blocking calls (Kafka producer, blob store) so
 * that Vert.x event loops never block. Results come back on the caller's Vert.x context. When
 * the pool and its queue are full a call fails at once with {@link RejectedExecutionException}
 * (answered as 503), rather than queueing without bound.
 */
public final class IoExecutor implements AutoCloseable {
    private final String name;
    private final ThreadPoolExecutor pool;

    public IoExecutor(String name, int threads, int queueCapacity) {
        this.name = name;
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), factory, new ThreadPoolExecutor.AbortPolicy());
        this.pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code task} on the pool; the future completes on {@code context}. */
    public <T> Future<T> call(Context context, Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result.completeExceptionally(e);
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            return Future.failedFuture(e);
        }
        return Future.fromCompletionStage(result, context);
    }

    /** Runs {@code task} on the pool; throws {@link RejectedExecutionException} when the pool is full. */
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** Lets queued calls finish (up to 10 s), then interrupts what still runs. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
