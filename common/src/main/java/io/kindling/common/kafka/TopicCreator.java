package io.kindling.common.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics a component needs if they do not exist yet. */
public final class TopicCreator {
    private static final Logger LOG = LoggerFactory.getLogger(TopicCreator.class);

    private final KafkaClients clients;

    public TopicCreator(KafkaClients clients) {
        this.clients = clients;
    }

    private static boolean exists(Admin admin, String topic) throws InterruptedException {
        try {
            admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Creates each missing topic, waiting up to {@code deadline} for the broker. */
    public void ensure(Collection<String> topics, Duration deadline) throws InterruptedException {
        KafkaConfig config = clients.config();
        ensureTopics(topics.stream().map(t -> new NewTopic(t, config.partitions(), config.replicationFactor())).toList(),
                deadline);
    }

    /** Creates each missing topic with its own partitions and settings (an existing topic is left as it is). */
    public void ensureTopics(Collection<NewTopic> topics, Duration deadline) throws InterruptedException {
        KafkaConfig config = clients.config();
        Instant until = Instant.now().plus(deadline);
        try (Admin admin = clients.admin("kindling-topic-creator")) {
            for (NewTopic newTopic : topics) {
                String topic = newTopic.name();
                while (true) {
                    try {
                        admin.createTopics(List.of(newTopic)).all().get(10, TimeUnit.SECONDS);
                        LOG.info("created topic {} ({} partitions{})", topic, newTopic.numPartitions(),
                                newTopic.configs() == null || newTopic.configs().isEmpty() ? "" : ", " + newTopic.configs());
                        break;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof TopicExistsException || (e.getCause() instanceof TopicAuthorizationException
                                && exists(admin, topic))) {
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
        }
    }
}
