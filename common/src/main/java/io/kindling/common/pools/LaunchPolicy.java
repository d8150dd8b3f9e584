package io.kindling.common.pools;

import io.kindling.common.pools.LaunchRefusedException.Reason;
import io.kindling.schemas.Application;
import io.kindling.schemas.JobSpec;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a job may ask of a launch, on every backend: the one place that decides which environment
 * variables, Spark conf keys and local paths a job may set, and how user values are shown in log
 * lines. Both launchers ({@code SparkSubmitCommand} for spark-submit pools, {@code DriverPodManifests}
 * for Kubernetes pools) call {@link #check(JobSpec)} on the job as submitted, before anything is
 * fetched or created, and refuse the launch with a {@link LaunchRefusedException} naming every
 * problem. The api can call the same check at submission.
 *
 * <ul>
 *   <li><b>Environment.</b> Variables that change how a JVM, Python, Hadoop, Spark, a shell or the
 *       dynamic loader start are refused ({@link #environmentProblem}): {@code JAVA_TOOL_OPTIONS},
 *       {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS}, every {@code SPARK_*}, {@code HADOOP_*},
 *       {@code YARN_*}, {@code PYSPARK_*}, {@code KINDLING_*}, {@code LD_*}, {@code KUBECONFIG},
 *       {@code PYTHON*} but a few harmless ones, and more. A pool's {@code envAllow} may let jobs
 *       set some of them, never those the worker sets itself. The worker's own entries are applied
 *       after the job's.</li>
 *   <li><b>Conf.</b> Keys that mount host paths or secrets, copy worker-host files (upload and
 *       staging locations, keytabs, pod templates), change redaction, ACLs, UI or RPC security, or
 *       pick another interpreter are <em>risky</em>: refused unless the pool's {@code confAllowRisky}
 *       matches them. JVM options that run commands or agents, or set {@code -Dspark.*} behind the
 *       conf policy's back, are refused in any {@code *JavaOptions} key. {@code spark.executorEnv.*}
 *       and the like follow the environment rules. Then the pool's {@code confDeny} and
 *       {@code confAllow}.</li>
 *   <li><b>Local paths.</b> {@code application.file}, {@code pyFiles}, {@code jars}, {@code files}
 *       and {@code archives} given as plain paths or {@code file:} URIs must lie under one of the
 *       pool's {@code localPaths} (when the policy has a list; a Kubernetes pool without one leaves
 *       paths to the image); everything else comes as {@code artifact://} or a remote URI.</li>
 * </ul>
 *
 * <p>This class is the rules' one public face: the environment rule is {@link EnvironmentRule}, the conf
 * rule {@link ConfRule}, and the log rendering of user values {@link LogText}.
 */
public final class LaunchPolicy {
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    private final List<String> confDeny;
    private final List<String> confAllow;
    private final List<String> confAllowRisky;
    private final List<String> envAllow;
    private final List<Path> localPaths;
    private final ConfRule confRule;

    /**
     * @param confDeny       conf key patterns a job may not set
     * @param confAllow      when not null, the only conf key patterns a job may set
     * @param confAllowRisky risky conf key patterns (see {@link ConfRule#RISKY_CONF}) the pool lets jobs set
     * @param envAllow       denied variable name patterns the pool lets jobs set (never the worker's own)
     * @param localPaths     directories local paths must lie under; null to leave local paths unchecked
     */
    public LaunchPolicy(List<String> confDeny, List<String> confAllow, List<String> confAllowRisky,
            List<String> envAllow, List<Path> localPaths) {
        this.confDeny = confDeny == null ? List.of() : List.copyOf(confDeny);
        this.confAllow = confAllow == null ? null : List.copyOf(confAllow);
        this.confAllowRisky = confAllowRisky == null ? List.of() : List.copyOf(confAllowRisky);
        this.envAllow = envAllow == null ? List.of() : List.copyOf(envAllow);
        this.localPaths = localPaths == null ? null
                : localPaths.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.confRule = new ConfRule(this.confDeny, this.confAllow, this.confAllowRisky, this.envAllow);
    }

    /**
     * The policy of {@code pool}: its {@code confDeny}, {@code confAllow}, {@code confAllowRisky},
     * {@code envAllow} and {@code localPaths}, else {@code defaultLocalPaths} (the worker's
     * {@code KINDLING_WORKER_LOCAL_PATHS}; null: unchecked).
     */
    public static LaunchPolicy of(PoolBackend pool, List<Path> defaultLocalPaths) {
        List<Path> local = pool.localPaths() != null ? pool.localPaths().stream().map(Path::of).toList()
                : defaultLocalPaths;
        return new LaunchPolicy(pool.confDeny(), pool.confAllow(), pool.confAllowRisky(), pool.envAllow(), local);
    }

    /** Nothing allowed beyond the defaults, local paths unchecked. */
    public static LaunchPolicy defaults() {
        return new LaunchPolicy(null, null, null, null, null);
    }

    /** This policy with local paths only under {@code dirs} (null: unchecked). */
    public LaunchPolicy withLocalPaths(List<Path> dirs) {
        return new LaunchPolicy(confDeny, confAllow, confAllowRisky, envAllow, dirs);
    }

    /** The directories local paths must lie under, or null when they are not checked. */
    public List<Path> localPaths() {
        return localPaths;
    }

    /**
     * Refuses {@code spec} if it sets a variable, a conf key or a local path this policy does not
     * allow; the exception lists every problem. Call it on the job as submitted (before its
     * {@code artifact://} URIs are rewritten to local paths).
     */
    public void check(JobSpec spec) throws LaunchRefusedException {
        Map<Reason, List<String>> problems = problems(spec, true);
        if (!problems.isEmpty()) {
            throw new LaunchRefusedException(problems.keySet().iterator().next(),
                    problems.values().stream().flatMap(List::stream).toList());
        }
    }

    /** As {@link #check(JobSpec)}, without the local paths (for a spec whose artifacts are already local paths). */
    public void checkEnvironmentAndConf(JobSpec spec) throws LaunchRefusedException {
        Map<Reason, List<String>> problems = problems(spec, false);
        if (!problems.isEmpty()) {
            throw new LaunchRefusedException(problems.keySet().iterator().next(),
                    problems.values().stream().flatMap(List::stream).toList());
        }
    }

    /** Every problem of {@code spec}, as sentences, by kind (empty: it may be launched). */
    public List<String> problems(JobSpec spec) {
        return problems(spec, true).values().stream().flatMap(List::stream).toList();
    }

    private Map<Reason, List<String>> problems(JobSpec spec, boolean paths) {
        Map<Reason, List<String>> problems = new LinkedHashMap<>();
        spec.env().forEach((name, value) -> environmentProblem(name)
                .ifPresent(p -> add(problems, Reason.ENVIRONMENT, "environment entry " + p)));
        spec.secretRefs().keySet().forEach(name -> environmentProblem(name)
                .ifPresent(p -> add(problems, Reason.SECRET, "secret reference " + p)));
        spec.conf().forEach((key, value) -> confProblem(key, value)
                .ifPresent(p -> add(problems, Reason.CONF, p)));
        if (paths) {
            Application app = spec.application();
            if (app != null && app.file() != null) {
                localPathProblem("application.file", app.file()).ifPresent(p -> add(problems, Reason.LOCAL_PATH, p));
            }
            paths("pyFiles", spec.pyFiles(), problems);
            paths("jars", spec.jars(), problems);
            paths("files", spec.files(), problems);
            paths("archives", spec.archives(), problems);
        }
        return problems;
    }

    private void paths(String field, List<String> values, Map<Reason, List<String>> problems) {
        for (String value : values) {
            localPathProblem(field, value).ifPresent(p -> add(problems, Reason.LOCAL_PATH, p));
        }
    }

    private static void add(Map<Reason, List<String>> problems, Reason reason, String problem) {
        problems.computeIfAbsent(reason, r -> new ArrayList<>()).add(problem);
    }

    /**
     * Why a job may not set the variable {@code name}, or empty if it may. The phrase starts with
     * the name: "JAVA_TOOL_OPTIONS changes how ... start".
     */
    public Optional<String> environmentProblem(String name) {
        return EnvironmentRule.problem(name, envAllow);
    }

    /** Why a job may not set conf {@code key} to {@code value}, or empty if it may (worker-owned keys aside). */
    public Optional<String> confProblem(String key, String value) {
        return confRule.problem(key, value);
    }

    /**
     * Why {@code value} of {@code field} may not be used, or empty if it may: a plain path or a
     * {@code file:} URI must be absolute and lie under one of {@link #localPaths()} (when set).
     * Artifact and other URIs are not local paths here.
     */
    public Optional<String> localPathProblem(String field, String value) {
        Optional<Path> path;
        try {
            path = localPath(value);
        } catch (IllegalArgumentException e) {
            return Optional.of(field + " '" + printable(value) + "' must be an absolute path or a file:// URI ("
                    + e.getMessage() + ")");
        }
        if (path.isEmpty() || localPaths == null) {
            return Optional.empty();
        }
        if (!allowedPath(path.get())) {
            return Optional.of(field + " '" + printable(value) + "' is a local path outside the directories this pool"
                    + " allows (" + (localPaths.isEmpty() ? "none" : localPaths.stream().map(Path::toString)
                            .reduce((a, b) -> a + ", " + b).orElse("")) + "); upload it as an artifact instead");
        }
        return Optional.empty();
    }

    /** True if {@code path} (absolute, normalized) lies under one of {@link #localPaths()} (or they are unchecked). */
    public boolean allowedPath(Path path) {
        if (localPaths == null) {
            return true;
        }
        Path normal = path.toAbsolutePath().normalize();
        return localPaths.stream().anyMatch(normal::startsWith);
    }

    /**
     * The local path {@code value} names (a plain path or a {@code file:} URI, a {@code #alias}
     * suffix dropped), normalized; empty for other URIs ({@code artifact:}, {@code local:},
     * {@code hdfs:}, {@code https:} …).
     *
     * @throws IllegalArgumentException for a relative path or an invalid {@code file:} URI
     */
    public static Optional<Path> localPath(String value) {
        int hash = value.indexOf('#');
        String plain = hash < 0 ? value : value.substring(0, hash);
        Path path;
        if (hasScheme(plain)) {
            if (!plain.regionMatches(true, 0, "file:", 0, 5)) {
                return Optional.empty();
            }
            try {
                path = Path.of(URI.create(plain));
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                throw new IllegalArgumentException("not a valid file: URI (" + e.getMessage() + ")");
            }
        } else {
            path = Path.of(plain);
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("a local path must be absolute");
            }
        }
        return Optional.of(path.normalize());
    }

    /**
     * The main file as spark-submit gets it. With {@code onThisHost} (spark-submit pools) a local
     * file (an absolute path or a {@code file:} URI) must exist here, since spark-submit reads it
     * here; on a driver pod it is a path in the image. Other URIs ({@code local:}, {@code hdfs:},
     * {@code https:} …) are passed on as they are; an {@code artifact:} URI must have been resolved.
     */
    public static String primaryResource(String file, boolean onThisHost) throws LaunchRefusedException {
        if (file == null || file.isBlank()) {
            throw new LaunchRefusedException(Reason.APPLICATION, "the application has no file");
        }
        if (file.regionMatches(true, 0, "artifact:", 0, 9)) {
            throw new LaunchRefusedException(Reason.ARTIFACT, "artifact URI '" + printable(file)
                    + "' was not resolved to a local path");
        }
        if (hasScheme(file) && !file.regionMatches(true, 0, "file:", 0, 5)) {
            return file;
        }
        Path path;
        try {
            path = localPath(file).orElseThrow();
        } catch (IllegalArgumentException e) {
            throw new LaunchRefusedException(Reason.APPLICATION, "application file must be an absolute path or a"
                    + " file:// URI, was '" + printable(file) + "' (" + e.getMessage() + ")");
        }
        if (!onThisHost) {
            return file;
        }
        if (!java.nio.file.Files.isRegularFile(path)) {
            throw new LaunchRefusedException(Reason.APPLICATION, "application file " + path
                    + " does not exist on worker host");
        }
        return path.toString();
    }

    /** The values of a spark-submit list option ({@code --jars} …) as its one argument. */
    public static String listArgument(String option, List<String> values) throws LaunchRefusedException {
        for (String value : values) {
            if (value.isEmpty() || value.indexOf(',') >= 0) {
                throw new LaunchRefusedException(Reason.APPLICATION, option + " entry '" + printable(value)
                        + "' is empty or contains a comma, which spark-submit would split");
            }
        }
        return String.join(",", values);
    }

    /** Refuses an argv or environment value holding a NUL character, which no process can receive. */
    public static void noNul(String what, String value) throws LaunchRefusedException {
        if (value.indexOf('\0') >= 0) {
            throw new LaunchRefusedException(Reason.APPLICATION, what + " contains a NUL character, which no process"
                    + " can receive");
        }
    }

    /** True if {@code value} starts with a URI scheme ({@code file:}, {@code hdfs:} …). */
    public static boolean hasScheme(String value) {
        return URI_SCHEME.matcher(value).find();
    }

    /** True if {@code key} is a Spark conf key the launchers pass on (others are dropped with a warning). */
    public static boolean isConfKey(String key) {
        return ConfRule.isConfKey(key);
    }

    /** True if {@code key} is risky: refused unless a pool's {@code confAllowRisky} matches it. */
    public static boolean risky(String key) {
        return ConfRule.risky(key);
    }

    /** As {@link LogText#secretLooking}. */
    public static boolean secretLooking(String key) {
        return LogText.secretLooking(key);
    }

    /** As {@link LogText#redacted}. */
    public static String redacted(List<String> argv) {
        return LogText.redacted(argv);
    }

    /** As {@link LogText#quoted}. */
    public static String quoted(String arg) {
        return LogText.quoted(arg);
    }

    /** As {@link LogText#printable}. */
    public static String printable(String value) {
        return LogText.printable(value);
    }
}
