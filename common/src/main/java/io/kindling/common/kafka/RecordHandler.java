package io.kindling.common.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Handles one record on the consumer's thread. Throwing means "not done": the record is delivered again. */
@FunctionalInterface
public interface RecordHandler {
    void handle(ConsumerRecord<String, byte[]> record) throws Exception;
}
