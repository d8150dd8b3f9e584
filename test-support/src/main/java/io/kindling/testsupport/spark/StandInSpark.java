package io.kindling.testsupport.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Spark home whose {@code bin/spark-submit} is a small Python program standing in for Spark: it
 * creates an event log named like an application id (so the worker sees the app start), keeps a
 * ledger line {@code start|alive|end <attemptId> <jobId> <epochMillis>} every 100 ms while it
 * "runs", sleeps the seconds given as the first application argument and exits with the second;
 * given a third, N, it prints N lines {@code numbered <000001..N> <attemptId>} to stdout, spread
 * over its run (the rest at the end), for tests of the logs' completeness and order; given a fourth,
 * {@code stamped}, each such line ends with the Unix time in milliseconds it was printed at (for
 * the benchmarks' latency).
 * The ledger tells the test when each attempt really ran.
 */
public final class StandInSpark {
    private final Path home;
    private final Path ledger;

    private StandInSpark(Path home, Path ledger) {
        this.home = home;
        this.ledger = ledger;
    }

    public static StandInSpark create(Path dir, Path python) throws IOException {
        Path home = dir.resolve("spark");
        Path ledger = dir.resolve("ledger.txt");
        Files.createDirectories(home.resolve("bin"));
        Path script = home.resolve("bin/spark-submit");
        Files.writeString(script, "#!" + python + "\n" + """
                import os, signal, sys, time
                LEDGER = %s
                VALUED = {"--master", "--deploy-mode", "--name", "--conf", "--py-files", "--jars", "--files",
                          "--archives", "--packages", "--class"}
                args, conf, name, app = sys.argv[1:], {}, None, []
                i = 0
                while i < len(args):
                    if args[i] in VALUED:
                        if args[i] == "--conf":
                            key, _, value = args[i + 1].partition("=")
                            conf[key] = value
                        elif args[i] == "--name":
                            name = args[i + 1]
                        i += 2
                    else:
                        app = args[i + 1:]
                        break
                job = conf.get("spark.kindling.jobId", "?")
                def note(what):
                    fd = os.open(LEDGER, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                    os.write(fd, ("%%s %%s %%s %%d\\n" %% (what, name, job, int(time.time() * 1000))).encode())
                    os.close(fd)
                def on_term(signum, frame):
                    note("end")
                    sys.exit(143)
                signal.signal(signal.SIGTERM, on_term)
                note("start")
                seconds = float(app[0]) if app else 1.0
                code = int(app[1]) if len(app) > 1 else 0
                eventlog = conf["spark.eventLog.dir"].replace("file://", "")
                os.makedirs(eventlog, exist_ok=True)
                open(os.path.join(eventlog, "local-%%d" %% int(time.time() * 1000)), "w").close()
                print("stand-in driver of", name, flush=True)
                lines = int(app[2]) if len(app) > 2 else 0
                stamped = len(app) > 3 and app[3] == "stamped"
                def numbered(n):
                    stamp = " %%d" %% int(time.time() * 1000) if stamped else ""
                    print("numbered %%06d %%s%%s" %% (n, name, stamp), flush=True)
                printed = 0
                begun = time.time()
                until = begun + seconds
                while time.time() < until:
                    note("alive")
                    due = int(lines * min(1.0, (time.time() - begun) / seconds))
                    while printed < due:
                        printed += 1
                        numbered(printed)
                    time.sleep(0.1)
                while printed < lines:
                    printed += 1
                    numbered(printed)
                note("end")
                sys.exit(code)
                """.formatted(pythonString(ledger.toString())));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new StandInSpark(home, ledger);
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    public Path home() {
        return home;
    }

    /** When each attempt ran: from its first ledger line to its last. */
    public record Run(String attemptId, String jobId, long firstMillis, long lastMillis, int starts) {
    }

    public List<Run> runs() throws IOException {
        Map<String, long[]> spans = new HashMap<>();
        Map<String, String> jobs = new HashMap<>();
        Map<String, Integer> starts = new HashMap<>();
        if (!Files.exists(ledger)) {
            return List.of();
        }
        for (String line : Files.readAllLines(ledger)) {
            String[] f = line.split(" ");
            if (f.length != 4) {
                continue;
            }
            long t = Long.parseLong(f[3]);
            jobs.put(f[1], f[2]);
            if (f[0].equals("start")) {
                starts.merge(f[1], 1, Integer::sum);
            }
            spans.merge(f[1], new long[] {t, t}, (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        List<Run> runs = new ArrayList<>();
        spans.forEach((attempt, span) -> runs.add(new Run(attempt, jobs.get(attempt), span[0], span[1],
                starts.getOrDefault(attempt, 0))));
        return runs;
    }
}
