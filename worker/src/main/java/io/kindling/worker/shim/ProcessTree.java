package io.kindling.worker.shim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Ends a process and every process it started: SIGTERM to the descendants, then to the process;
 * SIGKILL to whatever is left after a grace period.
 */
public final class ProcessTree {
    private ProcessTree() {
    }

    /** Returns once the process and its descendants have ended, or {@code grace} plus a moment has passed. */
    public static void terminate(ProcessHandle root, Duration grace) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
        tree.add(root);
        tree.forEach(ProcessHandle::destroy);
        if (awaitAll(tree, grace)) {
            return;
        }
        // snapshot before the root dies (its children are re-parented then), kill the root first so
        // that it cannot react to its children dying
        List<ProcessHandle> left = new ArrayList<>(root.descendants().toList());
        left.addAll(tree);
        root.destroyForcibly();
        left.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        awaitAll(left, Duration.ofSeconds(5));
    }

    private static boolean awaitAll(List<ProcessHandle> processes, Duration timeout) throws InterruptedException {
        CompletableFuture<?>[] exits = processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return processes.stream().noneMatch(ProcessHandle::isAlive);
        }
    }
}
