package io.kindling.common.kafka;

import io.kindling.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege Kafka ACLs of each Kindling component (docs/security.md lists the same):
 * only the dispatcher writes {@code jobs.events}, {@code runs.*} and {@code workers.control}; only
 * workers write reports; the api writes {@code jobs.commands} and reads events; the dispatcher, the
 * workers and the api write the dead letters of the records they read and refuse (and nothing else);
 * a tenant's producer writes its tenant's commands topic and nothing else. READ and WRITE imply
 * DESCRIBE. An operator creates them with {@code Admin#createAcls} or the {@code kafka-acls} tool
 * ({@link #toCommandLine}); principals are {@code User:<name>}.
 */
public final class KafkaAcls {
    private static final String ANY_HOST = "*";

    private KafkaAcls() {
    }

    /**
     * The api: publishes commands, follows events (no consumer group), dead-letters the events it
     * refuses, describes the workers' groups to tell which pools have a live worker ({@link LiveWorkers}).
     */
    public static List<AclBinding> api(Topics topics, String principal) {
        List<AclBinding> acls = new ArrayList<>();
        topic(acls, topics.commands(), principal, AclOperation.WRITE);
        topic(acls, topics.events(), principal, AclOperation.READ);
        topic(acls, topics.deadLetter(), principal, AclOperation.WRITE);
        acls.add(allow(ResourceType.GROUP, workerGroup(""), PatternType.PREFIXED, principal, AclOperation.DESCRIBE));
        return acls;
    }

    /**
     * The dispatcher: reads commands (the api's and every tenant's), reports and its own events;
     * writes events, runs, control and dead letters in transactions under its transactional id;
     * commits its group's offsets in those transactions; creates the topics it needs when missing.
     */
    public static List<AclBinding> dispatcher(Topics topics, String principal) {
        String id = dispatcherId(topics);
        List<AclBinding> acls = new ArrayList<>();
        for (String t : List.of(topics.commands(), topics.reports())) {
            topic(acls, t, principal, AclOperation.READ);
        }
        acls.add(allow(ResourceType.TOPIC, topics.tenantCommandsPrefix(), PatternType.PREFIXED, principal, AclOperation.READ));
        topic(acls, topics.events(), principal, AclOperation.READ);
        for (String t : List.of(topics.events(), topics.control(), topics.deadLetter())) {
            topic(acls, t, principal, AclOperation.WRITE);
        }
        acls.add(allow(ResourceType.TOPIC, topics.runs(""), PatternType.PREFIXED, principal, AclOperation.WRITE));
        for (String t : List.of(topics.commands(), topics.events(), topics.deadLetter(), topics.reports(), topics.control())) {
            topic(acls, t, principal, AclOperation.CREATE);
        }
        acls.add(allow(ResourceType.TOPIC, topics.runs(""), PatternType.PREFIXED, principal, AclOperation.CREATE));
        acls.add(allow(ResourceType.GROUP, id, PatternType.LITERAL, principal, AclOperation.READ));
        acls.add(allow(ResourceType.TRANSACTIONAL_ID, id, PatternType.LITERAL, principal, AclOperation.WRITE));
        // failover (standby instances): the compacted state topics it reads and writes (live jobs,
        // finished jobs), and the one-partition leader topic whose consumer group picks the active instance
        String leader = topics.dispatcherLeader();
        for (String state : List.of(topics.dispatcherState(), topics.dispatcherFinished())) {
            for (AclOperation op : List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE)) {
                topic(acls, state, principal, op);
            }
        }
        topic(acls, leader, principal, AclOperation.READ);
        topic(acls, leader, principal, AclOperation.CREATE);
        acls.add(allow(ResourceType.GROUP, id + "-leader", PatternType.LITERAL, principal, AclOperation.READ));
        return acls;
    }

    /**
     * A worker of {@code pool}: takes its pool's runs in the pool's group, reads control, writes
     * reports and the dead letters of the run assignments and controls it refuses.
     */
    public static List<AclBinding> worker(Topics topics, String principal, String pool) {
        List<AclBinding> acls = new ArrayList<>();
        topic(acls, topics.runs(pool), principal, AclOperation.READ);
        topic(acls, topics.control(), principal, AclOperation.READ);
        topic(acls, topics.reports(), principal, AclOperation.WRITE);
        topic(acls, topics.deadLetter(), principal, AclOperation.WRITE);
        acls.add(allow(ResourceType.GROUP, workerGroup(pool), PatternType.LITERAL, principal, AclOperation.READ));
        return acls;
    }

    /** An event-driven producer of {@code tenant}: writes that tenant's commands topic only. */
    public static List<AclBinding> tenantProducer(Topics topics, String principal, String tenant) {
        List<AclBinding> acls = new ArrayList<>();
        topic(acls, topics.tenantCommands(tenant), principal, AclOperation.WRITE);
        return acls;
    }

    /** The dispatcher's consumer group and transactional id (one dispatcher per topic prefix). */
    public static String dispatcherId(Topics topics) {
        return "kindling-dispatcher-" + topics.prefix();
    }

    /** The consumer group of the workers of {@code pool}. */
    public static String workerGroup(String pool) {
        return "kindling-worker-" + pool;
    }

    /** The {@code kafka-acls.sh} command that creates {@code acl} (for docs and operators). */
    public static String toCommandLine(AclBinding acl) {
        ResourcePattern r = acl.pattern();
        String resource = switch (r.resourceType()) {
            case TOPIC -> "--topic";
            case GROUP -> "--group";
            case TRANSACTIONAL_ID -> "--transactional-id";
            case CLUSTER -> "--cluster";
            default -> "--" + r.resourceType().name().toLowerCase(java.util.Locale.ROOT);
        };
        return "kafka-acls.sh --bootstrap-server $BOOTSTRAP --command-config admin.properties --add --allow-principal "
                + acl.entry().principal() + " --operation " + operationName(acl.entry().operation()) + " " + resource
                + " '" + r.name() + "'" + (r.patternType() == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "");
    }

    private static String operationName(AclOperation op) {
        String s = op.name().toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static void topic(List<AclBinding> acls, String topic, String principal, AclOperation op) {
        acls.add(allow(ResourceType.TOPIC, topic, PatternType.LITERAL, principal, op));
    }

    private static AclBinding allow(ResourceType type, String name, PatternType pattern, String principal, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, ANY_HOST, op, AclPermissionType.ALLOW));
    }
}
