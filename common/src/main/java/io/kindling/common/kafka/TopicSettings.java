package io.kindling.common.kafka;

import io.kindling.common.config.ConfigParameter;
import io.kindling.common.config.EnvConfig;
import io.kindling.schemas.MessageLimits;
import io.kindling.schemas.Topics;
import java.time.Duration;
import java.util.Map;

/**
 * The cleanup and retention settings of every topic Kindling creates (docs/architecture.md,
 * "Topics and retention"). Nothing is left to the broker's defaults: each topic gets its
 * {@code cleanup.policy}, {@code retention.ms}, {@code retention.bytes} (-1: by time only) and
 * {@code max.message.bytes} (the one record limit, {@link MessageLimits#KAFKA_RECORD_BYTES}).
 *
 * <p>{@code jobs.events} is kept for the finished-job retention plus {@link #EVENTS_MARGIN}, so a
 * job is never dropped from the log while the api or the dispatcher may still need it to rebuild.
 * Topics that only carry work in flight (commands, reports, runs, control) keep
 * {@link #TRANSIT_RETENTION}: long enough for a component that was down for days to catch up.
 *
 * @param jobRetention how long a finished job is remembered ({@code KINDLING_JOB_RETENTION_DAYS})
 */
public record TopicSettings(Duration jobRetention) {
    public static final int DEFAULT_JOB_RETENTION_DAYS = 30;
    public static final ConfigParameter<Integer> JOB_RETENTION_DAYS = ConfigParameter.integer(
            "KINDLING_JOB_RETENTION_DAYS", DEFAULT_JOB_RETENTION_DAYS, 1, 3650,
            "days a finished job is remembered (views, listings, idempotency keys); jobs.events is kept 7 days longer");
    public static final Duration EVENTS_MARGIN = Duration.ofDays(7);
    public static final Duration TRANSIT_RETENTION = Duration.ofDays(7);
    public static final Duration DEAD_LETTER_RETENTION = Duration.ofDays(14);

    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";

    public TopicSettings {
        if (jobRetention == null || jobRetention.isNegative() || jobRetention.isZero()) {
            throw new IllegalArgumentException("job retention must be positive, was " + jobRetention);
        }
    }

    /** Finished jobs kept {@value #DEFAULT_JOB_RETENTION_DAYS} days. */
    public static TopicSettings defaults() {
        return new TopicSettings(Duration.ofDays(DEFAULT_JOB_RETENTION_DAYS));
    }

    public static TopicSettings from(EnvConfig env) {
        return new TopicSettings(Duration.ofDays(env.get(JOB_RETENTION_DAYS)));
    }

    /** How long {@code jobs.events} is kept: the job retention plus the margin. */
    public Duration eventsRetention() {
        return jobRetention.plus(EVENTS_MARGIN);
    }

    /** The settings {@code topic} is created with (a name Kindling does not know gets the transit settings). */
    public Map<String, String> forTopic(Topics topics, String topic) {
        if (topic.equals(topics.events())) {
            return delete(eventsRetention());
        }
        if (topic.equals(topics.deadLetter())) {
            return delete(DEAD_LETTER_RETENTION);
        }
        return delete(TRANSIT_RETENTION);
    }

    /** Time-based deletion after {@code retention}, no size limit, Kindling's record limit. */
    public static Map<String, String> delete(Duration retention) {
        return Map.of(CLEANUP_POLICY, "delete", RETENTION_MS, Long.toString(retention.toMillis()),
                RETENTION_BYTES, "-1", MAX_MESSAGE_BYTES, Integer.toString(MessageLimits.KAFKA_RECORD_BYTES));
    }

    /**
     * Compacted, never deleted by time: the latest record of each key is kept (for state topics
     * keyed by job id, where a tombstone forgets a job); Kindling's record limit.
     */
    public static Map<String, String> compacted() {
        return Map.of(CLEANUP_POLICY, "compact", RETENTION_MS, "-1", RETENTION_BYTES, "-1",
                MAX_MESSAGE_BYTES, Integer.toString(MessageLimits.KAFKA_RECORD_BYTES));
    }
}
