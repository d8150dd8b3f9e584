package io.kindling.blobstore;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobStorageException;

/** Classifies Azure SDK failures, in one place. */
final class AzureErrors {

    private AzureErrors() {
    }

    static boolean isNotFound(BlobStorageException e) {
        return e.getStatusCode() == 404;
    }

    static boolean isBlobNotFound(BlobStorageException e) {
        return e.getStatusCode() == 404 && BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode());
    }

    static boolean isAppendPositionConflict(BlobStorageException e) {
        return e.getStatusCode() == 412 && BlobErrorCode.APPEND_POSITION_CONDITION_NOT_MET.equals(e.getErrorCode());
    }

    /** An If-Match that no longer matches (412), or an If-None-Match: * on a blob that exists (409 or 412). */
    static boolean isConditionNotMet(BlobStorageException e) {
        return (e.getStatusCode() == 412 && !BlobErrorCode.APPEND_POSITION_CONDITION_NOT_MET.equals(e.getErrorCode()))
                || (e.getStatusCode() == 409 && BlobErrorCode.BLOB_ALREADY_EXISTS.equals(e.getErrorCode()));
    }

    static boolean isInvalidRange(BlobStorageException e) {
        return e.getStatusCode() == 416;
    }

    /** Timeouts, throttling, 5xx and connection errors: worth a retry after backing off. */
    static boolean isTransient(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof BlobStorageException storage) {
                int status = storage.getStatusCode();
                return status == 408 || status == 429 || status >= 500;
            }
            if (e instanceof IOException || e instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    static BlobStoreException failure(String operation, String path, RuntimeException e) {
        String reason = e instanceof BlobStorageException storage
                ? storage.getStatusCode() + " " + storage.getErrorCode()
                : String.valueOf(rootCause(e));
        return new BlobStoreException("Azure: cannot " + operation + " blob " + path + ": " + reason, e, isTransient(e));
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
