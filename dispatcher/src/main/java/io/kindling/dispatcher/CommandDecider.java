package io.kindling.dispatcher;

import io.kindling.schemas.CancelJob;
import io.kindling.schemas.DeadLetter;
import io.kindling.schemas.FailureReason;
import io.kindling.schemas.InvalidMessageException;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobEvents;
import io.kindling.schemas.JobState;
import io.kindling.schemas.Json;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SubmitJob;
import io.kindling.schemas.Topics;
import io.kindling.schemas.Violation;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what one command record leads to, as the records to publish (atomically, with the
 * command's offset). Pure: no I/O, so every rule is unit-tested without Kafka.
 * <ul>
 *   <li>a valid submit for a known pool: QUEUED (with the spec), the run assignment of attempt 1
 *       on {@code runs.<pool>}, DISPATCHED;</li>
 *   <li>anything unreadable or invalid: a dead-letter record with the original bytes and the
 *       reason, plus a REJECTED event when a job id could be read.</li>
 * </ul>
 */
public final class CommandDecider {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDecider.class);

    private final MessageReader reader;
    private final Topics topics;
    private final Set<String> pools;
    private final Clock clock;

    public CommandDecider(MessageReader reader, Topics topics, Set<String> pools, Clock clock) {
        this.reader = reader;
        this.topics = topics;
        this.pools = Set.copyOf(pools);
        this.clock = clock;
    }

    public List<ProducerRecord<String, byte[]>> decide(ConsumerRecord<String, byte[]> record) {
        JobCommand command;
        try {
            command = reader.readCommand(record.value());
        } catch (InvalidMessageException e) {
            return reject(record, e.jobId().orElse(null), e.code().name(), e.getMessage(), e.details());
        }
        if (record.key() != null && !record.key().equals(command.jobId())) {
            String message = "record key '" + record.key() + "' is not the job id '" + command.jobId()
                    + "'; a job's commands must be keyed by its id so they stay ordered";
            return reject(record, command.jobId(), "INVALID", message, List.of(new Violation("$.jobId", message)));
        }
        return switch (command) {
            case SubmitJob submit -> submit(record, submit);
            case CancelJob cancel -> cancel(cancel);
        };
    }

    private List<ProducerRecord<String, byte[]>> submit(ConsumerRecord<String, byte[]> record, SubmitJob submit) {
        String pool = submit.spec().pool();
        if (!pools.contains(pool)) {
            String message = "unknown pool '" + pool + "'; known pools: " + String.join(", ", new java.util.TreeSet<>(pools));
            return reject(record, submit.jobId(), "INVALID", message, List.of(new Violation("$.spec.pool", message)));
        }
        Instant now = clock.instant();
        Instant submittedAt = submit.submittedAt() != null ? submit.submittedAt() : now;
        RunAssignment run = RunAssignment.of(submit.jobId(), 1, submit.spec(), now);
        LOG.info("job {} queued and dispatched to pool {} as {}", submit.jobId(), pool, run.attemptId());
        return List.of(
                event(JobEvents.job(submit.jobId(), JobState.QUEUED, now).spec(submit.spec()).submittedAt(submittedAt).build()),
                new ProducerRecord<>(topics.runs(pool), submit.jobId(), Json.encode(run)),
                event(JobEvents.attempt(run, JobState.DISPATCHED, now).build()));
    }

    private List<ProducerRecord<String, byte[]>> cancel(CancelJob cancel) {
        // Cancellation is owned by the job lifecycle (a later stage): accepted and logged, nothing lost.
        LOG.info("job {}: cancel requested ({}); cancellation is not implemented yet", cancel.jobId(), cancel.reason());
        return List.of();
    }

    private List<ProducerRecord<String, byte[]>> reject(ConsumerRecord<String, byte[]> record, String jobId, String code,
            String message, List<Violation> details) {
        Instant now = clock.instant();
        LOG.warn("rejected record {}-{}@{} (job {}): {} {}", record.topic(), record.partition(), record.offset(),
                jobId, code, message);
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(2);
        DeadLetter letter = new DeadLetter(record.topic(), record.partition(), record.offset(), record.key(),
                Base64.getEncoder().encodeToString(record.value() == null ? new byte[0] : record.value()),
                jobId, code, message, details, now);
        out.add(new ProducerRecord<>(topics.deadLetter(), record.key(), Json.encode(letter)));
        if (jobId != null) {
            out.add(event(JobEvents.job(jobId, JobState.REJECTED, now).reason(FailureReason.REJECTED)
                    .message(code + ": " + message).build()));
        }
        return out;
    }

    private ProducerRecord<String, byte[]> event(JobEvent event) {
        return new ProducerRecord<>(topics.events(), event.jobId(), Json.encode(event));
    }
}
