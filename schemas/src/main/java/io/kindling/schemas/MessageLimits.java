package io.kindling.schemas;

/**
 * The one size limit, the same on HTTP and on Kafka (docs/architecture.md, "Size limits").
 * Every topic is created with {@code max.message.bytes} = {@link #KAFKA_RECORD_BYTES} and the
 * producers' {@code max.request.size} default is the same 1 MiB. A command may be at most
 * {@link #COMMAND_BYTES}: the dispatcher wraps a submitted spec into events and run assignments
 * whose envelopes must still fit a record. A request body of {@code POST /v1/jobs} may be at most
 * {@link #SPEC_BYTES}: the api wraps it into a command (job id, time, tenant, principal,
 * idempotency key) that must still be at most {@link #COMMAND_BYTES}.
 */
public final class MessageLimits {
    /** Largest record on any Kindling topic (1 MiB). */
    public static final int KAFKA_RECORD_BYTES = 1024 * 1024;
    /** Room the dispatcher keeps for an event's or a run assignment's envelope around a spec. */
    public static final int OUTPUT_ENVELOPE_BYTES = 16 * 1024;
    /** Largest command record the dispatcher accepts on the commands topic. */
    public static final int COMMAND_BYTES = KAFKA_RECORD_BYTES - OUTPUT_ENVELOPE_BYTES;
    /** Room the api keeps for a command's envelope around a request body. */
    public static final int COMMAND_ENVELOPE_BYTES = 4 * 1024;
    /** Largest JSON request body the api accepts ({@code KINDLING_MAX_REQUEST_BYTES} may only lower it). */
    public static final int SPEC_BYTES = COMMAND_BYTES - COMMAND_ENVELOPE_BYTES;

    private MessageLimits() {
    }
}
