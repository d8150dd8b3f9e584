package io.kindling.blobstore;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.AppendBlobRequestConditions;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.AppendBlobAppendBlockOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.AppendBlobClient;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs in one Azure Storage container: append blobs for logs, block blobs for whole files.
 *
 * <p>Appends carry an {@code x-ms-blob-condition-appendpos} condition, so Azure itself refuses
 * an append at the wrong position (412 AppendPositionConditionNotMet), including one the SDK
 * retries after a lost response. HTTP goes through the JDK's {@link java.net.http.HttpClient}
 * (azure-core-http-jdk-httpclient), whose threads {@link #close()} stops. That adapter logs a
 * warning on every request with a body that Content-Length is a header the JDK sets itself
 * (it does, from the body's length): set the logger
 * {@code com.azure.core.http.jdk.httpclient.JdkHttpClient} to ERROR.
 */
public final class AzureBlobStore implements BlobStore {

    private static final Logger LOG = LoggerFactory.getLogger(AzureBlobStore.class);
    static final int MAX_TRIES = 3;
    static final Duration TRY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY_DELAY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(4);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern CONTENT_RANGE_TOTAL = Pattern.compile("/(\\d+)$");

    private final AzureBlobStoreConfig config;
    private final ExecutorService httpExecutor;
    private final BlobContainerClient container;

    /** Connects and creates the container if it does not exist. */
    public AzureBlobStore(AzureBlobStoreConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.httpExecutor = Executors.newCachedThreadPool(daemonThreads("kindling-azure-http-"));
        try {
            this.container = containerClient(config, httpClient(httpExecutor), httpExecutor);
            createContainer(container);
        } catch (RuntimeException e) {
            shutDown(httpExecutor);
            if (e instanceof IllegalArgumentException) {
                // not chained: the SDK's message or stack may quote the connection string or SAS token
                throw new IllegalArgumentException((config.credential() == AzureBlobStoreConfig.Credential.CONNECTION_STRING
                        ? AzureBlobStoreConfig.CONNECTION_STRING : AzureBlobStoreConfig.ACCOUNT_URL)
                        + " was rejected by the Azure SDK: " + config.scrub(e.getMessage()));
            }
            throw AzureErrors.failure("create the container of", config.container(), e);
        }
    }

    /**
     * Creates the container if missing; a credential that may not create containers (a container
     * SAS, an Entra role scoped to the container) is fine when the container exists already.
     */
    private static void createContainer(BlobContainerClient container) {
        try {
            container.createIfNotExists();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 403) {
                throw e;
            }
            // a container SAS may list but not read the container's properties: list one page to see it exists
            container.listBlobs(new ListBlobsOptions().setMaxResultsPerPage(1), null).iterableByPage().iterator().next();
            LOG.info("container {} exists; this credential may not create containers", container.getBlobContainerName());
        }
    }

    private static HttpClient httpClient(ExecutorService executor) {
        return new JdkHttpClientBuilder()
                .executor(executor)
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(TRY_TIMEOUT)
                .build();
    }

    private static BlobContainerClient containerClient(AzureBlobStoreConfig config, HttpClient httpClient,
            ExecutorService executor) {
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder();
        switch (config.credential()) {
            case CONNECTION_STRING -> builder.connectionString(config.connectionString());
            case SAS -> builder.endpoint(config.accountUrl()).sasToken(config.sasToken());
            case ENTRA -> builder.endpoint(config.accountUrl()).credential(new DefaultAzureCredentialBuilder()
                    .httpClient(httpClient)
                    .executorService(executor)
                    .build());
        }
        return builder
                .serviceVersion(config.serviceVersion())
                .httpClient(httpClient)
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, MAX_TRIES, TRY_TIMEOUT,
                        RETRY_DELAY, MAX_RETRY_DELAY, null))
                .buildClient()
                .getBlobContainerClient(config.container());
    }

    public AzureBlobStoreConfig config() {
        return config;
    }

    @Override
    public long length(String path) {
        return fromProperties(path, "get the length of", BlobProperties::getBlobSize);
    }

    @Override
    public long committedBlockCount(String path) {
        return fromProperties(path, "get the block count of", properties -> {
            Integer count = properties.getCommittedBlockCount();
            return count == null ? 0L : count;
        });
    }

    /** A number from the blob's properties, 0 for a blob that does not exist; {@code what} names it in a failure. */
    private long fromProperties(String path, String what, ToLongFunction<BlobProperties> read) {
        BlobClient blob = blob(path);
        try {
            return read.applyAsLong(blob.getProperties());
        } catch (BlobStorageException e) {
            if (AzureErrors.isNotFound(e)) {
                return 0L;
            }
            throw AzureErrors.failure(what, path, e);
        } catch (RuntimeException e) {
            throw AzureErrors.failure(what, path, e);
        }
    }

    @Override
    public void append(String path, long expectedLength, byte[] data, int off, int len) {
        AppendBlobClient blob = blob(path).getAppendBlobClient();
        Checks.checkAppend(expectedLength, data, off, len);
        try {
            if (len == 0) {
                checkPosition(path, blob, expectedLength);
                return;
            }
            try {
                appendBlock(blob, expectedLength, data, off, len);
            } catch (BlobStorageException e) {
                if (!AzureErrors.isBlobNotFound(e)) {
                    throw e;
                }
                if (expectedLength != 0) {
                    throw new AppendConflictException(path, expectedLength, 0);
                }
                blob.createIfNotExists();
                appendBlock(blob, expectedLength, data, off, len);
            }
        } catch (BlobStorageException e) {
            if (AzureErrors.isAppendPositionConflict(e)) {
                throw new AppendConflictException(path, expectedLength, length(path));
            }
            throw AzureErrors.failure("append to", path, e);
        } catch (AppendConflictException e) {
            throw e;
        } catch (RuntimeException e) {
            throw AzureErrors.failure("append to", path, e);
        }
    }

    private static void appendBlock(AppendBlobClient blob, long position, byte[] data, int off, int len) {
        AppendBlobAppendBlockOptions options = new AppendBlobAppendBlockOptions(
                BinaryData.fromByteBuffer(ByteBuffer.wrap(data, off, len)))
                .setContentMd5(md5(data, off, len))
                .setRequestConditions(new AppendBlobRequestConditions().setAppendPosition(position));
        blob.appendBlockWithResponse(options, null, Context.NONE);
    }

    /** A zero-byte append: creates the blob at position 0, otherwise only checks the position. */
    private void checkPosition(String path, AppendBlobClient blob, long expectedLength) {
        if (expectedLength == 0) {
            blob.createIfNotExists();
        }
        long actual = length(path);
        if (actual != expectedLength) {
            throw new AppendConflictException(path, expectedLength, actual);
        }
    }

    @Override
    public Optional<BlobRead> read(String path, long offset, int maxBytes) {
        BlobClient blob = blob(path);
        Checks.checkRead(offset, maxBytes);
        try {
            if (maxBytes == 0) {
                return Optional.of(new BlobRead(new byte[0], blob.getProperties().getBlobSize()));
            }
            BlobDownloadContentResponse response = blob.downloadContentWithResponse(
                    null, null, new BlobRange(offset, (long) maxBytes), false, null, Context.NONE);
            byte[] bytes = response.getValue().toBytes();
            long total = totalLength(response.getDeserializedHeaders().getContentRange())
                    .orElseGet(() -> blob.getProperties().getBlobSize());
            return Optional.of(new BlobRead(bytes, total));
        } catch (BlobStorageException e) {
            if (AzureErrors.isNotFound(e)) {
                return Optional.empty();
            }
            if (AzureErrors.isInvalidRange(e)) {
                return pastTheEnd(path, blob);
            }
            throw AzureErrors.failure("read", path, e);
        } catch (RuntimeException e) {
            throw AzureErrors.failure("read", path, e);
        }
    }

    /** Azure answers 416 for a range that starts at or past the end. */
    private static Optional<BlobRead> pastTheEnd(String path, BlobClient blob) {
        try {
            return Optional.of(new BlobRead(new byte[0], blob.getProperties().getBlobSize()));
        } catch (BlobStorageException e) {
            if (AzureErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw AzureErrors.failure("read", path, e);
        }
    }

    /** The total in a Content-Range header such as {@code bytes 0-99/1234}. */
    static Optional<Long> totalLength(String contentRange) {
        if (contentRange == null) {
            return Optional.empty();
        }
        Matcher matcher = CONTENT_RANGE_TOTAL.matcher(contentRange.trim());
        return matcher.find() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    @Override
    public void put(String path, byte[] data) {
        BlobClient blob = blob(path);
        Objects.requireNonNull(data, "data");
        try {
            blob.getBlockBlobClient().upload(BinaryData.fromBytes(data), true);
        } catch (RuntimeException e) {
            throw AzureErrors.failure("put", path, e);
        }
    }

    @Override
    public Optional<byte[]> get(String path) {
        BlobClient blob = blob(path);
        try {
            return Optional.of(blob.downloadContent().toBytes());
        } catch (BlobStorageException e) {
            if (AzureErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw AzureErrors.failure("get", path, e);
        } catch (RuntimeException e) {
            throw AzureErrors.failure("get", path, e);
        }
    }

    @Override
    public Optional<VersionedBlob> getVersioned(String path) {
        BlobClient blob = blob(path);
        try {
            BlobDownloadContentResponse response = blob.downloadContentWithResponse(null, null, null, Context.NONE);
            return Optional.of(new VersionedBlob(response.getValue().toBytes(), response.getDeserializedHeaders().getETag()));
        } catch (BlobStorageException e) {
            if (AzureErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw AzureErrors.failure("get", path, e);
        } catch (RuntimeException e) {
            throw AzureErrors.failure("get", path, e);
        }
    }

    @Override
    public String putIfVersion(String path, byte[] data, String expectedVersion) {
        BlobClient blob = blob(path);
        Objects.requireNonNull(data, "data");
        BlobRequestConditions conditions = expectedVersion == null
                ? new BlobRequestConditions().setIfNoneMatch("*")
                : new BlobRequestConditions().setIfMatch(expectedVersion);
        try {
            return blob.getBlockBlobClient().uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(data))
                    .setRequestConditions(conditions), null, Context.NONE).getValue().getETag();
        } catch (BlobStorageException e) {
            if (AzureErrors.isConditionNotMet(e)) {
                throw new PreconditionFailedException(path, expectedVersion);
            }
            throw AzureErrors.failure("put", path, e);
        } catch (RuntimeException e) {
            throw AzureErrors.failure("put", path, e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        BlobPaths.requireValidPrefix(prefix);
        ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix.isEmpty() ? null : prefix);
        try {
            return container.listBlobs(options, null).stream()
                    .map(BlobItem::getName)
                    .filter(BlobPaths::isValid)
                    .sorted()
                    .toList();
        } catch (RuntimeException e) {
            throw AzureErrors.failure("list", prefix + "*", e);
        }
    }

    /** Stops the HTTP client's threads and waits for them. */
    @Override
    public void close() {
        shutDown(httpExecutor);
    }

    @Override
    public String toString() {
        return "AzureBlobStore[" + config.describe() + "]";
    }

    private BlobClient blob(String path) {
        return container.getBlobClient(BlobPaths.requireValid(path));
    }

    private static byte[] md5(byte[] data, int off, int len) {
        try {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            digest.update(data, off, len);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK has no MD5", e);
        }
    }

    private static void shutDown(ExecutorService executor) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
