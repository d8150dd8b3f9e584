package io.kindling.common.pools;

import io.kindling.common.config.ConfigException;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The combinations a pool's keys must respect; each failure names the pool and the keys. */
final class PoolChecks {
    private static final Set<String> BACKENDS = Set.of(PoolBackend.SPARK_SUBMIT, PoolBackend.KUBERNETES);
    private static final Set<String> DEPLOY_MODES = Set.of("client", "cluster");

    private PoolChecks() {
    }

    static PoolConfig check(PoolConfig pool, String where) {
        List<String> problems = new ArrayList<>();
        backend(pool.backend(), problems);
        scheduling(pool.scheduling(), problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(where + ": " + String.join("; ", problems));
        }
        return pool;
    }

    private static void backend(PoolBackend b, List<String> problems) {
        if (!BACKENDS.contains(b.backend())) {
            problems.add("backend must be spark-submit or kubernetes, was '" + b.backend() + "'");
            return;
        }
        if (b.deployMode() != null && !DEPLOY_MODES.contains(b.deployMode())) {
            problems.add("deployMode must be client or cluster, was '" + b.deployMode() + "'");
        }
        if (PoolBackend.SPARK_SUBMIT.equals(b.backend())) {
            List<String> podKeys = new ArrayList<>();
            if (b.namespace() != null) {
                podKeys.add("namespace");
            }
            if (b.serviceAccount() != null) {
                podKeys.add("serviceAccount");
            }
            podKeys.addAll(b.kubernetes().setKeys());
            if (!podKeys.isEmpty()) {
                problems.add(String.join(", ", podKeys) + " only apply to backend kubernetes (driver pods)");
            }
            if ("cluster".equals(b.deployMode()) && b.master() != null && b.master().startsWith("local")) {
                problems.add("deployMode cluster is impossible with master '" + b.master() + "'");
            }
            if (b.master() != null && !b.master().matches("local(\\[[0-9*]+(,[0-9]+)?])?|spark://.+|yarn|k8s://.+|mesos://.+")) {
                problems.add("master must be local[...], spark://..., yarn or k8s://..., was '" + b.master() + "'");
            }
            portRange(b, problems);
            if (b.driverLogDir() != null && !("cluster".equals(b.deployMode()) && b.master() != null
                    && b.master().startsWith("spark://"))) {
                problems.add("driverLogDir only applies to deployMode cluster with a spark:// master");
            }
            standaloneCluster(b, problems);
            if (b.driverUiAddress() != null && !b.driverUiAddress().matches("[0-9a-fA-F.:]+")) {
                problems.add("driverUiAddress must be an IP address, was '" + b.driverUiAddress() + "'");
            }
        } else {
            List<String> submitKeys = new ArrayList<>();
            if (b.driverPortRange() != null) {
                submitKeys.add("driverPortRange");
            }
            if (b.driverHost() != null) {
                submitKeys.add("driverHost");
            }
            if (b.driverLogDir() != null) {
                submitKeys.add("driverLogDir");
            }
            if (b.masterWebUi() != null) {
                submitKeys.add("masterWebUi");
            }
            if (b.driverLogPollSeconds() != null) {
                submitKeys.add("driverLogPollSeconds");
            }
            if (b.driverUiAddress() != null) {
                submitKeys.add("driverUiAddress");
            }
            if (!submitKeys.isEmpty()) {
                problems.add(String.join(", ", submitKeys) + " only apply to backend spark-submit");
            }
            if (b.image() == null) {
                problems.add("backend kubernetes needs an image");
            }
            if (b.master() != null) {
                problems.add("master does not apply to backend kubernetes (the driver pod's spark-submit targets its own cluster)");
            }
            problems.addAll(b.kubernetes().problems());
            if (b.deployMode() != null) {
                problems.add("deployMode does not apply to backend kubernetes (the driver pod runs spark-submit in client mode)");
            }
        }
        launchPolicy(b, problems);
    }

    /** The keys of standalone cluster mode: where the master's UI is, how often drivers' logs are read. */
    private static void standaloneCluster(PoolBackend b, List<String> problems) {
        boolean standaloneCluster = "cluster".equals(b.deployMode()) && b.master() != null
                && b.master().startsWith("spark://");
        if (!standaloneCluster && (b.masterWebUi() != null || b.driverLogPollSeconds() != null)) {
            problems.add("masterWebUi and driverLogPollSeconds only apply to deployMode cluster with a spark:// master");
        }
        if (b.masterWebUi() != null && !b.masterWebUi().matches("https?://[^/?#\\s]+/?")) {
            problems.add("masterWebUi must be http(s)://host:port, was '" + b.masterWebUi() + "'");
        }
        if (b.driverLogPollSeconds() != null && (b.driverLogPollSeconds() < 1 || b.driverLogPollSeconds() > 300)) {
            problems.add("driverLogPollSeconds must be within 1-300, was " + b.driverLogPollSeconds());
        }
    }

    /** The launch policy keys, on every backend. */
    private static void launchPolicy(PoolBackend b, List<String> problems) {
        patterns("confDeny", b.confDeny(), problems);
        if (b.confAllow() != null) {
            patterns("confAllow", b.confAllow(), problems);
        }
        patterns("confAllowRisky", b.confAllowRisky(), problems);
        for (String p : b.envAllow()) {
            if (p == null || !p.matches("[A-Za-z_*][A-Za-z0-9_*]*")) {
                problems.add("envAllow entry '" + p + "' is not a variable name pattern (letters, digits, '_', '*')");
            }
        }
        if (b.localPaths() != null) {
            for (String dir : b.localPaths()) {
                if (dir == null || !dir.startsWith("/") || java.util.Arrays.asList(dir.split("/")).contains("..")) {
                    problems.add("localPaths entry '" + dir + "' must be an absolute directory without '..'");
                }
            }
        }
        List<String> denied = b.conf().keySet().stream().filter(k -> PoolBackend.matches(k, b.confDeny())).toList();
        if (!denied.isEmpty()) {
            problems.add("conf sets " + String.join(", ", denied) + ", which confDeny denies");
        }
    }

    private static void portRange(PoolBackend b, List<String> problems) {
        if (b.driverPortRange() == null) {
            return;
        }
        int[] range;
        try {
            range = b.portRange();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return;
        }
        if (range[0] < 1024 || range[1] > 65535 || range[1] - range[0] < 2) {
            problems.add("driverPortRange must lie within 1024-65535 and hold at least 3 ports, was '" + b.driverPortRange() + "'");
        }
        if ("cluster".equals(b.deployMode())) {
            problems.add("driverPortRange does not apply to deployMode cluster (the driver does not run on the worker)");
        }
    }

    private static void patterns(String key, List<String> patterns, List<String> problems) {
        for (String p : patterns) {
            if (p == null || !p.matches("[A-Za-z0-9*][A-Za-z0-9._*-]*")) {
                problems.add(key + " entry '" + p + "' is not a conf key pattern (letters, digits, '.', '_', '-', '*')");
            }
        }
    }

    private static void scheduling(PoolScheduling s, List<String> problems) {
        atLeast1("maxRunning", s.maxRunning(), problems);
        atLeast1("maxRunningPerTenant", s.maxRunningPerTenant(), problems);
        atLeast1("queueTimeoutSeconds", s.queueTimeoutSeconds(), problems);
        atLeast1("leaseSeconds", s.leaseSeconds(), problems);
        atLeast1("agingSeconds", s.agingSeconds(), problems);
        if (s.maxRunning() != null && s.maxRunningPerTenant() != null && s.maxRunningPerTenant() > s.maxRunning()) {
            problems.add("maxRunningPerTenant (" + s.maxRunningPerTenant() + ") exceeds maxRunning (" + s.maxRunning() + ")");
        }
        RetryPolicy r = s.retry();
        if (r == null) {
            return;
        }
        atLeast1("retry.maxAttempts", r.maxAttempts(), problems);
        atLeast1("retry.maxSubmissionAttempts", r.maxSubmissionAttempts(), problems);
        if (r.initialBackoffSeconds() != null && r.initialBackoffSeconds() < 0) {
            problems.add("retry.initialBackoffSeconds must be >= 0");
        }
        if (r.maxBackoffSeconds() != null && r.maxBackoffSeconds() < 0) {
            problems.add("retry.maxBackoffSeconds must be >= 0");
        }
        if (r.initialBackoffSeconds() != null && r.maxBackoffSeconds() != null
                && r.maxBackoffSeconds() < r.initialBackoffSeconds()) {
            problems.add("retry.maxBackoffSeconds is less than retry.initialBackoffSeconds");
        }
        if (r.retryOn() != null && (r.retryOn().contains(FailureReason.CANCELLED) || r.retryOn().contains(FailureReason.REJECTED))) {
            problems.add("retry.retryOn cannot name CANCELLED or REJECTED");
        }
    }

    private static void atLeast1(String key, Integer value, List<String> problems) {
        if (value != null && value < 1) {
            problems.add(key + " must be >= 1, was " + value);
        }
    }
}
