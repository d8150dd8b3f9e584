package io.kindling.common.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a component needs if they do not exist yet, each with explicit cleanup and
 * retention settings ({@link TopicSettings}); an existing topic whose settings differ is brought
 * in line (a shorter {@code retention.ms} is raised, never lowered, so an operator may keep more).
 */
public final class TopicCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    private final KafkaClients clients;
    private final TopicSettings settings;

    public TopicCreator(KafkaClients clients, TopicSettings settings) {
        this.clients = clients;
        this.settings = settings;
    }

    /** With the default settings (finished jobs kept 30 days). */
    public TopicCreator(KafkaClients clients) {
        this(clients, TopicSettings.defaults());
    }

    private static boolean exists(Admin admin, String topic) throws InterruptedException {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Creates each missing topic with its {@link TopicSettings}, waiting up to {@code deadline} for the broker. */
    public void ensure(Collection<String> topics, Duration deadline) throws InterruptedException {
        ensureAndDescribe(topics, deadline);
    }

    /** As {@link #ensure(Collection, Duration)}; returns Kafka's id of each topic (missing if it could not be read yet). */
    public Map<String, String> ensureAndDescribe(Collection<String> topics, Duration deadline) throws InterruptedException {
        Map<String, Map<String, String>> withSettings = new LinkedHashMap<>();
        for (String topic : topics) {
            withSettings.put(topic, settings.forTopic(clients.config().topics(), topic));
        }
        return create(withSettings, deadline);
    }

    /** Creates each missing topic with the given settings (e.g. {@link TopicSettings#compacted()}). */
    public void ensure(Map<String, Map<String, String>> topics, Duration deadline) throws InterruptedException {
        create(topics, deadline);
    }

    /**
     * Creates each missing topic with its own partitions and settings; an existing one gets the
     * settings it lacks, as with {@link #ensure(Map, Duration)}.
     */
    public void ensureTopics(Collection<NewTopic> topics, Duration deadline) throws InterruptedException {
        create(topics, deadline);
    }

    private Map<String, String> create(Map<String, Map<String, String>> topics, Duration deadline)
            throws InterruptedException {
        KafkaConfig config = clients.config();
        List<NewTopic> newTopics = new ArrayList<>();
        topics.forEach((topic, settings) -> newTopics.add(
                new NewTopic(topic, config.partitions(), config.replicationFactor()).configs(settings)));
        return create(newTopics, deadline);
    }

    private Map<String, String> create(Collection<NewTopic> topics, Duration deadline) throws InterruptedException {
        KafkaConfig config = clients.config();
        Instant until = Instant.now().plus(deadline);
        try (Admin admin = clients.admin("kindling-topic-creator")) {
            List<String> names = new ArrayList<>();
            for (NewTopic newTopic : topics) {
                String topic = newTopic.name();
                names.add(topic);
                Map<String, String> settings = newTopic.configs() == null ? Map.of() : newTopic.configs();
                while (true) {
                    try {
                        admin.createTopics(List.of(newTopic)).all().get(10, TimeUnit.SECONDS);
                        LOG.info("created topic {} ({} partitions, {})", topic, newTopic.numPartitions(), settings);
                        break;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof TopicExistsException) {
                            alignSettings(admin, topic, settings);
                            break;
                        }
                        if (e.getCause() instanceof TopicAuthorizationException && exists(admin, topic)) {
                            break; // created by someone else (a client without CREATE, docs/security.md, reads an existing one)
                        }
                        if (Instant.now().isAfter(until)) {
                            throw new IllegalStateException("cannot create topic " + topic + ": " + e.getCause(), e.getCause());
                        }
                        LOG.warn("creating topic {} failed ({}); retrying", topic, e.getCause().toString());
                        TimeUnit.MILLISECONDS.sleep(500);
                    } catch (TimeoutException e) {
                        if (Instant.now().isAfter(until)) {
                            throw new IllegalStateException("Kafka at " + config.bootstrapServers()
                                    + " did not answer within " + deadline, e);
                        }
                    }
                }
            }
            return topicIds(admin, names);
        }
    }

    private static Map<String, String> topicIds(Admin admin, Collection<String> topics) throws InterruptedException {
        Map<String, String> ids = new LinkedHashMap<>();
        try {
            admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS)
                    .forEach((name, description) -> ids.put(name, description.topicId().toString()));
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("the ids of topics {} are not known yet ({})", topics, e.toString());
        }
        return ids;
    }

    /** Sets the settings an existing topic lacks; best effort (a topic another tool manages is only warned about). */
    private static void alignSettings(Admin admin, String topic, Map<String, String> wanted) throws InterruptedException {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config current = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            List<AlterConfigOp> changes = new ArrayList<>();
            for (Map.Entry<String, String> want : wanted.entrySet()) {
                ConfigEntry have = current.get(want.getKey());
                String value = have == null ? null : have.value();
                if (!needsChange(want.getKey(), value, want.getValue())) {
                    continue;
                }
                LOG.warn("topic {} has {}={}; setting it to {}", topic, want.getKey(), value, want.getValue());
                changes.add(new AlterConfigOp(new ConfigEntry(want.getKey(), want.getValue()), AlterConfigOp.OpType.SET));
            }
            if (!changes.isEmpty()) {
                admin.incrementalAlterConfigs(Map.of(resource, changes)).all().get(10, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot check the settings of topic {} ({}); they may differ from {}", topic, e.toString(), wanted);
        }
    }

    /** A longer (or infinite) retention and a larger record limit are kept; anything else must match. */
    static boolean needsChange(String key, String have, String want) {
        if (have == null) {
            return true;
        }
        if (key.equals(TopicSettings.RETENTION_MS) || key.equals(TopicSettings.MAX_MESSAGE_BYTES)) {
            long h = Long.parseLong(have);
            long w = Long.parseLong(want);
            return h != -1 && (w == -1 || h < w);
        }
        return !have.equals(want);
    }
}
