package io.kindling.common.kafka;

import io.kindling.common.management.Management;
import io.micrometer.core.instrument.Gauge;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lag of a consumer group, measured from outside with one admin client: the end offsets of the
 * partitions it committed on minus its committed offsets, summed, every {@link #INTERVAL}; the
 * gauge {@code kindling_consumer_lag_records{group}}. For loops whose consumer belongs to their own
 * thread (the workers' runs consumers).
 */
public final class ConsumerGroupLag implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupLag.class);
    static final Duration INTERVAL = Duration.ofSeconds(15);
    private static final long CALL_SECONDS = 10;

    private final Admin admin;
    private final String group;
    private final AtomicLong lag = new AtomicLong();
    private final ScheduledFuture<?> schedule;

    public ConsumerGroupLag(KafkaClients clients, String group, Management management) {
        this.admin = clients.admin("kindling-lag-" + group);
        this.group = group;
        Gauge.builder("kindling.consumer.lag", lag, AtomicLong::get).baseUnit("records").tag("group", group)
                .description("Records not yet consumed by the consumer group (its assigned partitions)")
                .register(management.registry());
        this.schedule = management.kafkaMetricsRefresh().scheduleWithFixedDelay(this::measure, 0, INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void measure() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(CALL_SECONDS, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = latest.isEmpty() ? Map.of()
                    : admin.listOffsets(latest).all().get(CALL_SECONDS, TimeUnit.SECONDS);
            long total = 0;
            for (Map.Entry<TopicPartition, OffsetAndMetadata> c : committed.entrySet()) {
                ListOffsetsResult.ListOffsetsResultInfo end = ends.get(c.getKey());
                if (end != null && c.getValue() != null) {
                    total += Math.max(0, end.offset() - c.getValue().offset());
                }
            }
            lag.set(total);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("consumer lag of {} not measured: {}", group, e.toString());
        }
    }

    @Override
    public void close() {
        schedule.cancel(false);
        admin.close(Duration.ofSeconds(5));
    }
}
