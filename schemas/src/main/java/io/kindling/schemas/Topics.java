package io.kindling.schemas;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The names of Kindling's topics, all under one configurable prefix (default {@value #DEFAULT_PREFIX}). */
public record Topics(String prefix) {
    public static final String DEFAULT_PREFIX = "kindling.";
    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]*");
    private static final String TENANTS = "tenants.";
    private static final String COMMANDS_SUFFIX = ".commands";

    public Topics {
        if (prefix == null || !LEGAL.matcher(prefix).matches() || prefix.length() > 100) {
            throw new IllegalArgumentException("topic prefix must match [A-Za-z0-9._-]{0,100}, was '" + prefix + "'");
        }
    }

    /** Submit and cancel commands, key = job id. */
    public String commands() {
        return prefix + "jobs.commands";
    }

    /**
     * Submit and cancel commands of one tenant's event-driven producers, key = job id. Kafka ACLs
     * let a producer write only its tenants' topics; the dispatcher gives every job read here the
     * tenant named by the topic (docs/security.md).
     */
    public String tenantCommands(String tenant) {
        if (!Names.isTenant(tenant)) {
            throw new IllegalArgumentException("tenant must match " + Names.TENANT.pattern() + ", was '" + tenant + "'");
        }
        return prefix + TENANTS + tenant + COMMANDS_SUFFIX;
    }

    /** The literal prefix of every tenant commands topic: the resource of a prefixed ACL. */
    public String tenantCommandsPrefix() {
        return prefix + TENANTS;
    }

    /** The tenant whose commands topic {@code topic} is, or empty when it is not one. */
    public Optional<String> tenantOfCommands(String topic) {
        Matcher m = tenantCommandsPattern().matcher(topic);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Matches every tenant commands topic; group 1 is the tenant. */
    public Pattern tenantCommandsPattern() {
        return Pattern.compile(Pattern.quote(prefix + TENANTS) + "(" + Names.NAME + ")" + Pattern.quote(COMMANDS_SUFFIX));
    }

    /** True for {@link #commands()} and every tenant commands topic. */
    public boolean isCommands(String topic) {
        return topic.equals(commands()) || tenantOfCommands(topic).isPresent();
    }

    /** What the dispatcher consumes: the commands topic, every tenant commands topic and the reports topic. */
    public Pattern dispatcherInputs() {
        return Pattern.compile(Pattern.quote(commands()) + "|" + Pattern.quote(reports()) + "|"
                + tenantCommandsPattern().pattern());
    }

    /**
     * The same inputs as a list, for a consumer that assigns partitions instead of subscribing:
     * {@link #commands()}, {@link #reports()} and each tenant commands topic among {@code existing}
     * (e.g. {@code consumer.listTopics().keySet()}, listed again now and then to see new tenants).
     */
    public List<String> dispatcherInputTopics(Collection<String> existing) {
        List<String> inputs = new ArrayList<>(List.of(commands(), reports()));
        existing.stream().filter(t -> tenantOfCommands(t).isPresent()).sorted().forEach(inputs::add);
        return inputs;
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
     * The dispatcher's own state, compacted, key = job id: each live job's full state, written in
     * the same transaction as the events; a job that finished is a tombstone here.
     */
    public String dispatcherState() {
        return prefix + "dispatcher.state";
    }

    /**
     * The dispatcher's finished jobs, compacted, key = job id: each finished job's small record
     * (idempotent replays, stale reports) until its retention ends; not needed to start scheduling.
     */
    public String dispatcherFinished() {
        return prefix + "dispatcher.finished";
    }

    /** One partition and no records: the dispatcher instance its consumer group assigns it to is the active one. */
    public String dispatcherLeader() {
        return prefix + "dispatcher.leader";
    }
}
