package io.kindling.worker;

import io.kindling.common.config.EnvConfig;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.schemas.Topics;
import io.kindling.worker.launcher.SparkSubmitLauncher;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's composition root: from an environment map to a running worker with real Kafka
 * clients and {@code spark-submit}. {@link WorkerMain} and the embedded launcher both start it here.
 */
public final class WorkerComponent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerComponent.class);
    private static final Duration TOPIC_DEADLINE = Duration.ofSeconds(60);

    private final Worker worker;
    private final ShutdownSequence shutdown;

    private WorkerComponent(Worker worker, ShutdownSequence shutdown) {
        this.worker = worker;
        this.shutdown = shutdown;
    }

    /**
     * Reads the configuration from {@code env} (keys as in {@code KnownKeys}; this does not reject
     * unknown ones), logs it, creates the pool's runs topic and the events topic if missing, and
     * starts the worker. Close the result to stop it (awaited).
     */
    public static WorkerComponent start(Map<String, String> env) throws InterruptedException {
        EnvConfig envConfig = new EnvConfig(env);
        WorkerConfig config = WorkerConfig.from(envConfig);
        LOG.info("worker configuration:\n{}", WorkerConfig.describe(envConfig));
        KafkaClients clients = new KafkaClients(config.kafka());
        Topics topics = config.kafka().topics();
        new TopicCreator(clients).ensure(List.of(topics.runs(config.pool()), topics.events()), TOPIC_DEADLINE);

        ShutdownSequence shutdown = new ShutdownSequence();
        Worker worker = new Worker(config,
                clients.consumer(config.groupId(), "kindling-worker-" + config.workerId(),
                        Map.of("max.poll.records", config.maxRunning())),
                new KafkaEventPublisher(clients.producer("kindling-worker-" + config.workerId()), topics.events()),
                new SparkSubmitLauncher(config.spark(), config.spool()),
                Clock.systemUTC());
        shutdown.add("worker", worker.start());
        return new WorkerComponent(worker, shutdown);
    }

    public Worker worker() {
        return worker;
    }

    @Override
    public void close() {
        shutdown.close();
    }
}
