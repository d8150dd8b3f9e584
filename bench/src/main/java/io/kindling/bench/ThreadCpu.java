package io.kindling.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU time of the JVM's threads between two moments, by thread name with its numbers folded
 * ({@code attempt-default-17} counts as {@code attempt-default-N}): which component a benchmark's
 * CPU went to. Threads that ended in between, the JIT compilers and the garbage collector are not
 * Java threads that can be asked; the caller gets their share as the process's CPU minus the sum.
 */
final class ThreadCpu {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();

    /** Takes the starting point. */
    ThreadCpu() {
        for (long id : threads.getAllThreadIds()) {
            long cpu = threads.getThreadCpuTime(id);
            if (cpu >= 0) {
                start.put(id, cpu);
            }
        }
    }

    /** The whole process's CPU time in nanoseconds (every thread, the JIT and the collector included). */
    static long processNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Nanoseconds of CPU per folded thread name since the start, largest first. */
    Map<String, Long> since() {
        Map<String, Long> byName = new HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            ThreadInfo info = threads.getThreadInfo(id);
            long cpu = threads.getThreadCpuTime(id);
            if (info != null && cpu >= 0) {
                byName.merge(info.getThreadName().replaceAll("\\d+", "N"), cpu - start.getOrDefault(id, 0L), Long::sum);
            }
        }
        Map<String, Long> sorted = new LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}
