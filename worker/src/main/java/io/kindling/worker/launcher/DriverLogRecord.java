package io.kindling.worker.launcher;

/**
 * {@code <attempt dir>/driver.json}: the standalone cluster-mode driver an attempt submitted (so
 * that its follower, started again, follows it instead of submitting a second one) and, per
 * stream, how far its log has been copied into the spool file: when the spool file had
 * {@code spoolSize} bytes, the driver's log had been read up to {@code offset}. Bytes appended
 * after that position are the driver's own from {@code offset} on (a copy is written before its
 * position is saved; a notice of Kindling's own is saved before it is written).
 */
record DriverLogRecord(String driverId, Position stdout, Position stderr) {
    static final String FILE = "driver.json";

    record Position(long spoolSize, long offset) {
    }
}
