package io.kindling.shipper;

/**
 * Where copying one spool file into its blob stands.
 *
 * @param blobLength the blob's committed length after the copy
 * @param fileSize   the spool file's size when the copy started
 */
record Progress(long blobLength, long fileSize) {

    /** Every byte of the file (as it was when the copy started) is in the blob. */
    boolean caughtUp() {
        return blobLength == fileSize;
    }

    /** The blob holds more than the file: the file was truncated or replaced. */
    boolean blobAhead() {
        return blobLength > fileSize;
    }
}
