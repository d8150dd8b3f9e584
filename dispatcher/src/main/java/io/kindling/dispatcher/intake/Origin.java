package io.kindling.dispatcher.intake;

/** Where an input came from: enough to dead-letter it with its original bytes. */
public record Origin(String topic, int partition, long offset, String key, byte[] value) {
}
