package io.kindling.api;

import io.kindling.common.tracing.TraceContext;
import io.kindling.schemas.JobCommand;
import io.kindling.schemas.Json;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes commands to the commands topic, keyed by job id, and reports the broker's acknowledgement.
 * {@code send} runs on the {@link IoExecutor} (it can block on metadata or a full buffer); the
 * acknowledgement arrives on the producer's thread and is handed back on the caller's context.
 */
public final class CommandPublisher implements AutoCloseable {
    private final Producer<String, byte[]> producer;
    private final String topic;
    private final IoExecutor io;
    private final Duration ackTimeout;

    public CommandPublisher(Producer<String, byte[]> producer, String topic, IoExecutor io, Duration ackTimeout) {
        this.producer = producer;
        this.topic = topic;
        this.io = io;
        this.ackTimeout = ackTimeout;
    }

    /**
     * Publishes {@code command}. Fails with {@link PublishTimeoutException} if the broker has not
     * acknowledged it within the timeout; the record may still be written later.
     */
    public Future<RecordMetadata> publish(Context context, JobCommand command) {
        return publish(context, command, null);
    }

    /**
     * Publishes {@code command} with {@code trace} (the request's span) in the record's W3C
     * headers (none if null); the span is given the job's id ({@code kindling.job.id}).
     */
    public Future<RecordMetadata> publish(Context context, JobCommand command, io.opentelemetry.context.Context trace) {
        return publish(context, command, Json.encode(command), trace);
    }

    /** {@link #publish(Context, JobCommand, io.opentelemetry.context.Context)} of a command already encoded as {@code value}. */
    public Future<RecordMetadata> publish(Context context, JobCommand command, byte[] value,
            io.opentelemetry.context.Context trace) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, command.jobId(), value);
        if (trace != null) {
            Span.fromContext(trace).setAttribute("kindling.job.id", command.jobId());
            TraceContext.inject(trace, record.headers());
        }
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            io.execute(() -> send(record, acked));
        } catch (RejectedExecutionException e) {
            acked.completeExceptionally(e);
        }
        // orTimeout completes 'acked' itself, so failures arrive unwrapped
        acked.orTimeout(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return Future.fromCompletionStage(acked, context)
                .recover(e -> Future.failedFuture(e instanceof TimeoutException
                        ? new PublishTimeoutException(topic, ackTimeout) : e));
    }

    private void send(ProducerRecord<String, byte[]> record, CompletableFuture<RecordMetadata> acked) {
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
    }

    /** Sends what is buffered and closes the producer, waiting up to 10 s. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    /** The broker did not acknowledge a command in time. */
    public static final class PublishTimeoutException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PublishTimeoutException(String topic, Duration timeout) {
            super("Kafka did not acknowledge the command on " + topic + " within " + timeout.toSeconds() + " s");
        }
    }
}
