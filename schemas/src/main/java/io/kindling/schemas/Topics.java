package io.kindling.schemas;

import java.util.regex.Pattern;

/** The names of Kindling's topics, all under one configurable prefix (default {@value #DEFAULT_PREFIX}). */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "kindling.";
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]*");

    public Topics {
        if (prefix == null || !LEGAL.matcher(prefix).matches() || prefix.length() > 100) {
            throw new IllegalArgumentException("topic prefix must match [A-Za-z0-9._-]{0,100}, was '" + prefix + "'");
        }
    }

    /** Submit and cancel commands, key = job id. */
    public String commands() {
        return prefix + "jobs.commands";
    }

    /** Every state change of every job, key = job id. */
    public String events() {
        return prefix + "jobs.events";
    }

    /** Run assignments for one pool, key = job id. */
    public String runs(String pool) {
        return prefix + "runs." + pool;
    }

    /**
     * What workers report about the attempts they run (state changes and heartbeats), key = job
     * id. The dispatcher turns reports into job events: it is the one writer of {@link #events()}.
     */
    public String reports() {
        return prefix + "attempts.reports";
    }

    /** Instructions to the workers (cancel an attempt), key = job id; every worker reads all of it. */
    public String control() {
        return prefix + "workers.control";
    }

    /** Records the dispatcher could not accept, with their original bytes. */
    public String deadLetter() {
        return prefix + "jobs.deadletter";
    }

    /**
     * The dispatcher's own state, compacted, key = job id: each live job's full state and each
     * recently finished job's small record, written in the same transaction as the events.
     */
    public String dispatcherState() {
        return prefix + "dispatcher.state";
    }

    /** One partition and no records: the dispatcher instance its consumer group assigns it to is the active one. */
    public String dispatcherLeader() {
        return prefix + "dispatcher.leader";
    }
}
