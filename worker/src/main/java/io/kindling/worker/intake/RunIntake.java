package io.kindling.worker.intake;

import io.kindling.common.deadletter.DeadLetterPublisher;
import io.kindling.schemas.AttemptId;
import io.kindling.schemas.InvalidMessageException;
import io.kindling.schemas.MessageLimits;
import io.kindling.schemas.MessageReader;
import io.kindling.schemas.Names;
import io.kindling.schemas.RunAssignment;
import io.kindling.schemas.SchemaValidator;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads a record of a pool's runs topic into its run assignment. A record it cannot read (any
 * bytes, the schema, a key or pool that is not the assignment's) is dead-lettered with the reason,
 * and the caller skips it.
 */
final class RunIntake {
    private final String pool;
    private final DeadLetterPublisher deadLetters;
    private final MessageReader reader = new MessageReader(new SchemaValidator(), MessageLimits.KAFKA_RECORD_BYTES);

    RunIntake(String pool, DeadLetterPublisher deadLetters) {
        this.pool = pool;
        this.deadLetters = deadLetters;
    }

    /** The record's run assignment; empty if it was dead-lettered. */
    Optional<RunAssignment> read(ConsumerRecord<String, byte[]> record) {
        RunAssignment run;
        try {
            run = reader.read(record.value(), SchemaValidator.Schema.RUN_ASSIGNMENT, RunAssignment.class);
        } catch (InvalidMessageException e) {
            deadLetters.refuse(record, e);
            return Optional.empty();
        }
        String problem = problem(run, record.key(), pool);
        if (problem != null) {
            deadLetters.refuse(record, run.jobId(), "INVALID", problem, List.of());
            return Optional.empty();
        }
        return Optional.of(run);
    }

    /**
     * Why an assignment that passed the schema cannot be run here, or null: its ids must agree (the
     * attempt id names a directory), its record key must be its job id and its pool this loop's.
     */
    static String problem(RunAssignment run, String key, String pool) {
        if (!Names.isJobId(run.jobId())) {
            return "jobId must match " + Names.JOB_ID.pattern();
        }
        if (run.attempt() < 1) {
            return "attempt must be at least 1";
        }
        if (!AttemptId.of(run.jobId(), run.attempt()).equals(run.attemptId())) {
            return "attemptId must be " + AttemptId.of(run.jobId(), run.attempt());
        }
        if (!run.jobId().equals(key)) {
            return "record key '" + key + "' is not the job id '" + run.jobId() + "'";
        }
        if (!pool.equals(run.pool()) || (run.spec().pool() != null && !pool.equals(run.spec().pool()))) {
            return "assignment for pool '" + run.pool() + "' (spec: '" + run.spec().pool() + "') on the runs topic of pool '"
                    + pool + "'";
        }
        if (run.tenant() != null && !run.tenant().equals(run.spec().tenant())) {
            return "tenant '" + run.tenant() + "' is not the spec's tenant '" + run.spec().tenant() + "'";
        }
        return null;
    }
}
