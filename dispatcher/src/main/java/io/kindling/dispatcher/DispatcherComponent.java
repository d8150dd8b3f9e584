package io.kindling.dispatcher;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.common.kafka.KafkaClients;
import io.kindling.common.kafka.KafkaConfig;
import io.kindling.common.kafka.KafkaReachability;
import io.kindling.common.lifecycle.ShutdownSequence;
import io.kindling.common.management.Management;
import io.kindling.common.kafka.TopicCreator;
import io.kindling.dispatcher.intake.InputReader;
import io.kindling.dispatcher.kafka.Dispatcher;
import io.kindling.dispatcher.kafka.Leadership;
import io.kindling.dispatcher.lifecycle.JobStateMachine;
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
    private final ShutdownSequence owned;

    private DispatcherComponent(Dispatcher dispatcher, ShutdownSequence owned) {
        this.dispatcher = dispatcher;
        this.owned = owned;
    }

    /** Starts with meters and health of its own, served nowhere (tests; DispatcherMain passes the process's). */
    public static DispatcherComponent start(Map<String, String> env) throws InterruptedException {
        return start(env, Clock.systemUTC());
    }

    /** Starts with {@code clock} as the time source of every timer (tests). */
    public static DispatcherComponent start(Map<String, String> env, Clock clock) throws InterruptedException {
        ShutdownSequence owned = new ShutdownSequence();
        Management management = owned.add("management", Management.inMemory());
        try {
            return start(env, clock, management, owned);
        } catch (InterruptedException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    /** Starts with the process's meter registry and health registry. */
    public static DispatcherComponent start(Map<String, String> env, Management management) throws InterruptedException {
        ShutdownSequence owned = new ShutdownSequence();
        try {
            return start(env, Clock.systemUTC(), management, owned);
        } catch (InterruptedException | RuntimeException e) {
            owned.close();
            throw e;
        }
    }

    private static DispatcherComponent start(Map<String, String> env, Clock clock, Management management,
            ShutdownSequence owned) throws InterruptedException {
        DispatcherConfig config = DispatcherConfig.fromEnv(env);
        EnvConfig raw = new EnvConfig(env);
        if (raw.get(DispatcherConfig.CONFIG) != null && env.get(DispatcherConfig.POOLS.name()) != null) {
            LOG.warn("{} is set: the pools come from it and {} is ignored", DispatcherConfig.CONFIG.name(),
                    DispatcherConfig.POOLS.name());
        }
        LOG.info("dispatcher configuration:\n{}\n  pools: {}", new EnvConfig(env).describe(parameters()), config.pools().pools());
        KafkaClients clients = new KafkaClients(config.kafka(), management);
        KafkaReachability kafka = owned.add("kafka probe", new KafkaReachability(clients, "kindling-dispatcher-health"));
        management.health().readinessProbe("dispatcher.kafka", kafka);
        Topics topics = config.kafka().topics();
        List<String> needed = new ArrayList<>(List.of(topics.commands(), topics.events(), topics.deadLetter(),
                topics.reports(), topics.control()));
        config.poolNames().forEach(pool -> needed.add(topics.runs(pool)));
        TopicCreator creator = new TopicCreator(clients);
        creator.ensure(needed, Duration.ofSeconds(60));
        creator.ensureTopics(DispatcherTopics.own(config.kafka()), Duration.ofSeconds(60));
        String dispatcherId = Dispatcher.id(topics);
        Duration retention = Duration.ofDays(config.retentionDays());
        Duration ackTimeout = Duration.ofSeconds(config.ackSeconds());
        Leadership leadership = new Leadership(clients, topics.dispatcherLeader(), dispatcherId + "-leader",
                config.instanceId(), raw.get(DispatcherConfig.DISPATCHER_ID) != null);
        Dispatcher dispatcher = new Dispatcher(clients,
                () -> new JobStateMachine(config.pools().pools().values(), retention, config.retentionMaxJobs(), ackTimeout),
                new InputReader(topics), clock, dispatcherId, leadership, management).start();
        owned.add("dispatcher", dispatcher);
        // the active instance is ready once rebuilt and assigned; a standby is ready (it serves nothing)
        management.health().readiness("dispatcher", () -> !dispatcher.active() || dispatcher.ready());
        LOG.info("dispatcher {} started for pools {} (active once the leader topic's group assigns it)", config.instanceId(),
                config.poolNames());
        return new DispatcherComponent(dispatcher, owned);
    }

    static List<ConfigParameter<?>> parameters() {
        List<ConfigParameter<?>> all = new ArrayList<>(KafkaConfig.PARAMETERS);
        all.addAll(DispatcherConfig.PARAMETERS);
        return all;
    }

    /** True once the state is rebuilt from the events topic and the input partitions are assigned. */
    public boolean ready() {
        return dispatcher.ready();
    }

    /** True while this instance is the active dispatcher (false for a standby). */
    public boolean active() {
        return dispatcher.active();
    }

    /** When this instance last finished loading the finished jobs after taking over; null if it has not. */
    public java.time.Instant finishedLoadedAt() {
        return dispatcher.finishedLoadedAt();
    }

    /** Same as {@link #ready()} (kept for callers of the walking skeleton). */
    public boolean assigned() {
        return dispatcher.ready();
    }

    @Override
    public void close() {
        owned.close();
    }
}
