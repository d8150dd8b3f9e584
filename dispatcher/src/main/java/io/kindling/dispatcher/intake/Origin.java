package io.kindling.dispatcher.intake;

import io.kindling.common.deadletter.DeadLetters;

/** Where an input came from: enough to dead-letter it with its original bytes. */
public record Origin(String topic, int partition, long offset, String key, byte[] value) {

    /** The same coordinates and bytes, as the dead letters' builder takes them. */
    public DeadLetters.Source source() {
        return new DeadLetters.Source(topic, partition, offset, key, value);
    }
}
