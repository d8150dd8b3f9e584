package io.kindling.dispatcher.kafka;

import io.kindling.common.kafka.KafkaClients;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which dispatcher instance is the active one: every instance joins one consumer group on the
 * single-partition leader topic, and the instance that group assigns the partition to leads.
 * The sticky assignor keeps the partition where it is when a standby joins; when the leader dies,
 * the group notices after {@link #SESSION_TIMEOUT} and gives the partition to a standby. This only
 * says who should decide; that two instances never decide at once is the transactional id's job
 * (the new leader's {@code initTransactions} fences the old one's producer). Owns its consumer on
 * its own thread.
 */
public final class Leadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final String instanceId;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile boolean leader;
    private volatile Runnable onLost = () -> { };

    /**
     * {@code staticMember}: the instance id was configured, so it is stable across restarts and
     * used as the static member id: a restarted instance takes its place back at once instead of
     * waiting for its predecessor's session to time out. Distinct instances need distinct ids.
     */
    public Leadership(KafkaClients clients, String topic, String group, String instanceId, boolean staticMember) {
        this.topic = topic;
        this.instanceId = instanceId;
        Map<String, Object> settings = new HashMap<>(Map.of(
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic",
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(SESSION_TIMEOUT.toMillis()),
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000",
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "30000",
                // its heartbeat thread looks this often whether a heartbeat is due (Kafka: 100 ms)
                ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, "500"));
        if (staticMember) {
            settings.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        this.consumer = clients.consumer(group, clientId(instanceId), settings);
        this.thread = new Thread(this::run, "dispatcher-leadership");
        this.thread.setDaemon(true);
    }

    /** The Kafka client id of the leadership consumer of dispatcher {@code instanceId} (its metrics carry it). */
    static String clientId(String instanceId) {
        return "kindling-dispatcher-leadership-" + instanceId;
    }

    public Leadership start(Runnable onLost) {
        this.onLost = onLost;
        thread.start();
        return this;
    }

    /** True while this instance holds the leader partition. */
    public boolean leader() {
        return leader;
    }

    private void set(boolean lead) {
        if (leader != lead) {
            LOG.info("dispatcher {}: {}", instanceId, lead ? "now the active instance" : "no longer the active instance");
        }
        leader = lead;
        if (!lead) {
            onLost.run();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        set(false);
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        set(false);
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        // never read: holding it is the lead. A position (any) and a pause: no fetch for it,
                        // and a poll that has every position waits its whole timeout
                        partitions.forEach(partition -> consumer.seek(partition, 0));
                        consumer.pause(partitions);
                        set(true);
                    }
                }
            });
            while (running.get()) {
                consumer.poll(Duration.ofMillis(500)); // nothing to read (its partition paused): polling keeps the membership alive
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("dispatcher {}: leadership consumer failed; giving up leadership", instanceId, e);
        } finally {
            set(false);
            // leave the group even as a static member, so a standby takes over now
            consumer.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(5)));
        }
    }

    /** Leaves the group at once (a standby takes over without waiting for the session timeout). */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
