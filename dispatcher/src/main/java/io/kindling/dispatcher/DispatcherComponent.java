package io.kindling.dispatcher;

import io.kindling.common.config.EnvConfig;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dispatcher, wired: topics created, the transactional loop started. Close it to stop. */
public final class DispatcherComponent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DispatcherComponent.class);

    private final Dispatcher dispatcher;

    private DispatcherComponent(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    public static DispatcherComponent start(Map<String, String> env) throws InterruptedException {
        DispatcherConfig config = DispatcherConfig.fromEnv(env);
        LOG.info("dispatcher configuration:\n{}", new EnvConfig(env).describe(List.copyOf(parameters())));
        KafkaClients clients = new KafkaClients(config.kafka());
        Topics topics = config.kafka().topics();
        List<String> needed = new ArrayList<>(List.of(topics.commands(), topics.events(), topics.deadLetter()));
        config.pools().forEach(pool -> needed.add(topics.runs(pool)));
        new TopicCreator(clients).ensure(needed, Duration.ofSeconds(60));
        CommandDecider decider = new CommandDecider(new MessageReader(), topics, config.pools(), Clock.systemUTC());
        String transactionalId = "kindling-dispatcher-" + topics.prefix();
        Dispatcher dispatcher = new Dispatcher(clients, decider, transactionalId).start();
        LOG.info("dispatcher started for pools {}", config.pools());
        return new DispatcherComponent(dispatcher);
    }

    static List<io.kindling.common.config.ConfigParameter<?>> parameters() {
        List<io.kindling.common.config.ConfigParameter<?>> all = new ArrayList<>(io.kindling.common.kafka.KafkaConfig.PARAMETERS);
        all.addAll(DispatcherConfig.PARAMETERS);
        return all;
    }

    public boolean assigned() {
        return dispatcher.assigned();
    }

    @Override
    public void close() {
        dispatcher.close();
    }
}
