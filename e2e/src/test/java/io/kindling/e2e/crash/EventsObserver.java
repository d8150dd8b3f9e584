package io.kindling.e2e.crash;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads every committed event of the events topic, from the start, into per-job lists in log order. */
final class EventsObserver implements AutoCloseable {
    private final Map<String, List<JobEvent>> byJob = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final Set<String> terminal = ConcurrentHashMap.newKeySet();
    private final List<Observed> dispatched = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    EventsObserver(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(() -> run(consumer, topic), "events-observer");
        thread.start();
    }

    private void run(KafkaConsumer<String, byte[]> consumer, String topic) {
        try (consumer) {
            List<TopicPartition> partitions = new ArrayList<>();
            while (running.get() && partitions.isEmpty()) {
                consumer.partitionsFor(topic, Duration.ofSeconds(5))
                        .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    JobEvent event = Json.decode(record.value(), JobEvent.class);
                    byJob.computeIfAbsent(event.jobId(), id -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(event);
                    if (event.state().terminal()) {
                        terminal.add(event.jobId());
                    } else if (event.state() == JobState.DISPATCHED) {
                        dispatched.add(new Observed(Instant.now(), event));
                    }
                    count.incrementAndGet();
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            Thread.currentThread().interrupt();
        }
    }

    int count() {
        return count.get();
    }

    /** Jobs with a terminal event so far. */
    int terminalJobs() {
        return terminal.size();
    }

    /** A DISPATCHED event and when this observer read it. */
    record Observed(Instant received, JobEvent event) {
    }

    /** The first DISPATCHED event decided (its {@code time}) after the instant given, if read yet. */
    Optional<Observed> dispatchedAfter(Instant instant) {
        return dispatched.stream().filter(o -> o.event().time().isAfter(instant)).findFirst();
    }

    List<JobEvent> events(String jobId) {
        return List.copyOf(byJob.getOrDefault(jobId, List.of()));
    }

    boolean terminal(String jobId) {
        return events(jobId).stream().anyMatch(e -> e.state().terminal());
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
