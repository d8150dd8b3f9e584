package io.kindling.dispatcher.kafka;

import io.kindling.schemas.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finished jobs' filter ({@link FinishedFilter}) checkpointed on the dispatcher's state topic
 * under reserved keys: its bits in chunks ({@code ~kindling-finished-filter/<i>}, each well under
 * the record limit), then a header ({@code ~kindling-finished-filter}) naming the chunks'
 * generation and the finished jobs' topic's offsets the filter covers. All on one partition and in
 * one transaction, so a reader that has read the header has read its chunks; compaction keeps each
 * key's latest. Reading folds these records ({@link #accept}) and gives the latest complete
 * checkpoint ({@link #latest}).
 */
final class FilterCheckpoint {
    private static final Logger LOG = LoggerFactory.getLogger(FilterCheckpoint.class);
    static final String KEY = "~kindling-finished-filter";
    private static final String CHUNK = KEY + "/";
    /** Bits per chunk: a chunk record (base64 in JSON) stays near 512 KiB, half the record limit. */
    static final int CHUNK_BYTES = 384 * 1024;
    /** Every record of a checkpoint goes to this partition of the state topic (read in order). */
    static final int PARTITION = 0;
    private static final int VERSION = 1;

    /** What a checkpoint is: its chunks' generation and count, and the offsets the filter covers. */
    record Header(int version, String generation, int chunks, Map<Integer, Long> covers, long ids, Instant writtenAt) {
    }

    /** One slice of the filter's bits. */
    record Chunk(String generation, int index, byte[] bits) {
    }

    private Header header;
    private final Map<Integer, Chunk> chunks = new HashMap<>();

    /** True for the keys a checkpoint's records are written under (not a job's id). */
    static boolean reserved(String key) {
        return key != null && key.startsWith(KEY);
    }

    /** Folds one record under a reserved key read from the state topic (the latest of each key wins). */
    void accept(String key, byte[] value) {
        try {
            if (key.equals(KEY)) {
                header = value == null ? null : Json.decode(value, Header.class);
            } else {
                int index = Integer.parseInt(key.substring(CHUNK.length()));
                if (value == null) {
                    chunks.remove(index);
                } else {
                    chunks.put(index, Json.decode(value, Chunk.class));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("finished jobs' filter: record {} unreadable ({}); ignored", key, e.toString());
        }
    }

    /** Forgets what was read (reading starts over). */
    void clear() {
        header = null;
        chunks.clear();
    }

    /** The latest checkpoint read, if it is complete and readable (else none: unknown ids wait for the load). */
    Optional<FinishedFilter> latest() {
        if (header == null || header.version() != VERSION || header.chunks() < 1 || header.covers() == null) {
            return Optional.empty();
        }
        List<byte[]> parts = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < header.chunks(); i++) {
            Chunk chunk = chunks.get(i);
            if (chunk == null || !header.generation().equals(chunk.generation()) || chunk.bits() == null) {
                LOG.warn("finished jobs' filter: checkpoint {} lacks chunk {}; not used", header.generation(), i);
                return Optional.empty();
            }
            parts.add(chunk.bits());
            size += chunk.bits().length;
        }
        byte[] bits = new byte[size];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, bits, at, part.length);
            at += part.length;
        }
        try {
            return Optional.of(FinishedFilter.read(bits, header.covers()));
        } catch (RuntimeException e) {
            LOG.warn("finished jobs' filter: checkpoint {} unreadable ({}); not used", header.generation(), e.toString());
            return Optional.empty();
        }
    }

    /** The records of a checkpoint of {@code filter} on the state topic: its chunks, then its header. */
    static List<ProducerRecord<String, byte[]>> records(String topic, FinishedFilter filter, Instant now) {
        byte[] bits = filter.bits();
        String generation = UUID.randomUUID().toString();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        int count = 0;
        for (int from = 0; from < bits.length; from += CHUNK_BYTES) {
            byte[] part = Arrays.copyOfRange(bits, from, Math.min(bits.length, from + CHUNK_BYTES));
            records.add(new ProducerRecord<>(topic, PARTITION, CHUNK + count, Json.encode(new Chunk(generation, count, part))));
            count++;
        }
        Header header = new Header(VERSION, generation, count, filter.covers(), filter.approximateIds(), now);
        records.add(new ProducerRecord<>(topic, PARTITION, KEY, Json.encode(header)));
        return records;
    }
}
