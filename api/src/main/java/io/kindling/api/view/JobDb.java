package io.kindling.api.view;

import io.kindling.schemas.JobEvent;
import io.kindling.schemas.JobSpec;
import io.kindling.schemas.JobState;
import io.kindling.schemas.JobView;
import io.kindling.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The api's durable fold: every job the api remembers, one row each (its view, spec and last
 * events as JSON, plus the columns listings are indexed by), its labels, and the next offset of
 * each events partition already folded in, all in one embedded SQLite database (WAL journal: one
 * writer, readers never blocked). Rows and offsets are written in one transaction, so after a
 * crash the api resumes from offsets that match its rows.
 *
 * <p>Listings use the indexes {@code (tenant, state | pool, submitted_at, id)} and
 * {@code (state | pool, submitted_at, id)}: a page is an index range read, never a scan of every
 * job. Writes come from one thread at a time (the events follower); reads from any thread, each
 * on a pooled read connection.
 */
final class JobDb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobDb.class);
    private static final int SCHEMA_VERSION = 2;
    private static final int READERS = 8;
    /** The live jobs, loaded at start: without it, a start would read every row. */
    private static final String LIVE_INDEX = "CREATE INDEX IF NOT EXISTS jobs_live ON jobs(id) WHERE finished_at IS NULL";

    /** How a job's last events are stored: the index of the first, the events, every event id applied. */
    record StoredEvents(long first, List<JobEvent> events, Set<String> applied) {
    }

    private final Path file;
    private final boolean temporary;
    private final FileChannel lock;
    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private final AtomicInteger openedReaders = new AtomicInteger();
    private final PreparedStatement upsert;
    private final PreparedStatement insertLabel;
    /** The views listings read, decoded (a listing repeated compares bytes instead of decoding). */
    private final DecodedViews decoded;
    private volatile boolean closed;

    /** The store at {@code requested} (null: a temporary one); listings keep up to {@code decodedViews} views decoded. */
    JobDb(Path requested, int decodedViews) {
        this.decoded = new DecodedViews(decodedViews);
        Path file = requested;
        try {
            if (file != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                lock = lock(file);
                if (lock == null) {
                    LOG.warn("another api instance uses the job store {}; this one keeps its views in a temporary store"
                            + " and reads the events topic from the beginning (give each api its own KINDLING_API_STORE_DIR)",
                            file);
                    file = null;
                }
            } else {
                lock = null;
            }
            if (file == null) {
                this.file = Files.createTempFile("kindling-views-", ".db");
                this.temporary = true;
                for (String suffix : List.of("", "-wal", "-shm")) {
                    Path.of(this.file + suffix).toFile().deleteOnExit();
                }
            } else {
                this.file = file;
                this.temporary = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the job store at " + file, e);
        }
        try {
            writer = open();
            try (Statement s = writer.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA cache_size=-32000");
            }
            migrate();
            upsert = writer.prepareStatement("""
                    INSERT INTO jobs(id, tenant, state, pool, submitted_at, finished_at, view, spec, events)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET tenant = excluded.tenant, state = excluded.state,
                      pool = excluded.pool, submitted_at = excluded.submitted_at, finished_at = excluded.finished_at,
                      view = excluded.view, spec = excluded.spec, events = excluded.events""");
            insertLabel = writer.prepareStatement(
                    "INSERT OR IGNORE INTO labels(job_id, key, value, submitted_at) VALUES (?, ?, ?, ?)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the job store " + this.file + ": " + e.getMessage(), e);
        }
    }

    /** Holds {@code <file>.lock} for this instance; null if another one (in this JVM or another) holds it. */
    private static FileChannel lock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(Path.of(file + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by another store in this JVM
        }
        channel.close();
        return null;
    }

    private Connection open() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=10000");
            s.execute("PRAGMA temp_store=MEMORY");
        }
        return c;
    }

    private void migrate() throws SQLException {
        try (Statement s = writer.createStatement()) {
            int version;
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version == SCHEMA_VERSION) {
                return;
            }
            if (version == 1) {
                s.execute(LIVE_INDEX);
                s.execute("PRAGMA user_version=" + SCHEMA_VERSION);
                return;
            }
            if (version != 0) {
                LOG.warn("job store {} has schema {} (expected {}): rebuilding it from the events topic", file, version,
                        SCHEMA_VERSION);
                for (String table : List.of("jobs", "labels", "offsets", "topics")) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                }
            }
            s.execute("""
                    CREATE TABLE jobs(id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, state TEXT NOT NULL, pool TEXT,
                      submitted_at INTEGER NOT NULL, finished_at INTEGER, view BLOB NOT NULL, spec BLOB,
                      events BLOB NOT NULL)""");
            s.execute("CREATE INDEX jobs_by_tenant ON jobs(tenant, submitted_at, id)");
            s.execute("CREATE INDEX jobs_by_tenant_state ON jobs(tenant, state, submitted_at, id)");
            s.execute("CREATE INDEX jobs_by_tenant_pool ON jobs(tenant, pool, submitted_at, id)");
            s.execute("CREATE INDEX jobs_by_state ON jobs(state, submitted_at, id)");
            s.execute("CREATE INDEX jobs_by_pool ON jobs(pool, submitted_at, id)");
            s.execute("CREATE INDEX jobs_by_time ON jobs(submitted_at, id)");
            s.execute("CREATE INDEX jobs_by_finish ON jobs(finished_at) WHERE finished_at IS NOT NULL");
            s.execute(LIVE_INDEX);
            s.execute("CREATE TABLE labels(job_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
                    + " submitted_at INTEGER NOT NULL, PRIMARY KEY(job_id, key)) WITHOUT ROWID");
            s.execute("CREATE INDEX labels_by_value ON labels(key, value, submitted_at, job_id)");
            s.execute("CREATE TABLE offsets(topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,"
                    + " PRIMARY KEY(topic, partition)) WITHOUT ROWID");
            s.execute("CREATE TABLE topics(topic TEXT PRIMARY KEY, topic_id TEXT NOT NULL) WITHOUT ROWID");
            s.execute("PRAGMA user_version=" + SCHEMA_VERSION);
        }
    }

    Path file() {
        return file;
    }

    /** The job, if the store has it. */
    Optional<JobEntry> load(String id) {
        return read(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT view, spec, events FROM jobs WHERE id = ?")) {
                q.setString(1, id);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(entry(rs)) : Optional.<JobEntry>empty();
                }
            }
        });
    }

    /**
     * The queue keys of every QUEUED job (start-up), read from columns and the spec's priority
     * without decoding a job: a start costs one index read of the live jobs.
     */
    List<QueueIndex.Key> loadQueued() {
        return read(c -> {
            List<QueueIndex.Key> keys = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT id, pool, coalesce(json_extract(CAST(spec AS TEXT), '$.priority'), 0), submitted_at FROM jobs"
                            + " WHERE finished_at IS NULL AND state = 'QUEUED'")) {
                while (rs.next()) {
                    long nanos = rs.getLong(4);
                    String pool = rs.getString(2);
                    keys.add(new QueueIndex.Key(pool != null ? pool : JobSpec.DEFAULT_POOL, rs.getInt(3),
                            Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)),
                            rs.getString(1)));
                }
            }
            return keys;
        });
    }

    /** Jobs in the store that have not finished. */
    long countLive() {
        return read(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM jobs WHERE finished_at IS NULL")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** The next offset of each partition of {@code topic} whose events are in the store. */
    Map<Integer, Long> positions(String topic) {
        return read(c -> {
            Map<Integer, Long> positions = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT partition, next_offset FROM offsets WHERE topic = ?")) {
                q.setString(1, topic);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        positions.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            return positions;
        });
    }

    /**
     * Records that {@code topic} is the topic with id {@code topicId}; false if the store had
     * folded a topic of that name with another id (the topic was recreated since).
     */
    synchronized boolean sameTopic(String topic, String topicId) {
        try (PreparedStatement q = writer.prepareStatement("SELECT topic_id FROM topics WHERE topic = ?")) {
            q.setString(1, topic);
            String known;
            try (ResultSet rs = q.executeQuery()) {
                known = rs.next() ? rs.getString(1) : null;
            }
            if (topicId.equals(known)) {
                return true;
            }
            try (PreparedStatement put = writer.prepareStatement("INSERT OR REPLACE INTO topics(topic, topic_id) VALUES (?, ?)")) {
                put.setString(1, topic);
                put.setString(2, topicId);
                put.executeUpdate();
            }
            return known == null;
        } catch (SQLException e) {
            throw new IllegalStateException("reading the job store failed: " + e.getMessage(), e);
        }
    }

    /** Writes the entries and, if given, the offsets they bring {@code topic} to, in one transaction. */
    synchronized void write(Collection<JobEntry> entries, String topic, Map<Integer, Long> positions) {
        try {
            writer.setAutoCommit(false);
            try {
                for (JobEntry entry : entries) {
                    bind(entry);
                    upsert.addBatch();
                    for (Map.Entry<String, String> label : entry.view().labels().entrySet()) {
                        insertLabel.setString(1, entry.view().id());
                        insertLabel.setString(2, label.getKey());
                        insertLabel.setString(3, label.getValue());
                        insertLabel.setLong(4, nanos(entry.view().submittedAt()));
                        insertLabel.addBatch();
                    }
                }
                upsert.executeBatch();
                insertLabel.executeBatch();
                if (topic != null && !positions.isEmpty()) {
                    try (PreparedStatement offsets = writer.prepareStatement(
                            "INSERT OR REPLACE INTO offsets(topic, partition, next_offset) VALUES (?, ?, ?)")) {
                        for (Map.Entry<Integer, Long> p : positions.entrySet()) {
                            offsets.setString(1, topic);
                            offsets.setInt(2, p.getKey());
                            offsets.setLong(3, p.getValue());
                            offsets.addBatch();
                        }
                        offsets.executeBatch();
                    }
                }
                writer.commit();
            } catch (SQLException | RuntimeException e) {
                writer.rollback();
                throw e;
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("writing to the job store failed: " + e.getMessage(), e);
        }
    }

    private void bind(JobEntry entry) throws SQLException {
        JobView view = entry.view();
        upsert.setString(1, view.id());
        upsert.setString(2, entry.tenant());
        upsert.setString(3, view.state().name());
        upsert.setString(4, view.pool());
        upsert.setLong(5, nanos(view.submittedAt()));
        Instant finished = entry.finishedAt();
        if (finished == null) {
            upsert.setNull(6, java.sql.Types.INTEGER);
        } else {
            upsert.setLong(6, finished.toEpochMilli());
        }
        upsert.setBytes(7, Json.encode(view));
        upsert.setBytes(8, entry.spec() == null ? null : Json.encode(entry.spec()));
        upsert.setBytes(9, Json.encode(new StoredEvents(entry.firstIndex(), entry.events(), entry.applied())));
    }

    /**
     * Up to {@code limit} views, newest first, after {@code after} (null: from the newest), of jobs
     * of {@code tenant} (null: any) in {@code state} (null: any) that match the rest of
     * {@code filter} and did not finish before {@code finishedSince}.
     */
    List<JobView> page(JobFilter filter, String tenant, JobState state, JobCursor after, Instant finishedSince,
            int limit) {
        JobListing.Query query = JobListing.query(filter, tenant, state, after, finishedSince, limit);
        String sql = query.sql();
        List<Object> args = query.args();
        return read(c -> {
            List<JobView> views = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(sql)) {
                for (int i = 0; i < args.size(); i++) {
                    q.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        views.add(decoded.view(rs.getString(1), rs.getBytes(2)));
                    }
                }
            }
            return views;
        });
    }

    /** Deletes up to {@code batch} jobs that finished before {@code cutoff}; returns how many. */
    synchronized int purge(Instant cutoff, int batch) {
        String victims = "SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ? LIMIT ?";
        try {
            writer.setAutoCommit(false);
            try (PreparedStatement labels = writer.prepareStatement("DELETE FROM labels WHERE job_id IN (" + victims + ")");
                    PreparedStatement jobs = writer.prepareStatement("DELETE FROM jobs WHERE id IN (" + victims + ")")) {
                labels.setLong(1, cutoff.toEpochMilli());
                labels.setInt(2, batch);
                labels.executeUpdate();
                jobs.setLong(1, cutoff.toEpochMilli());
                jobs.setInt(2, batch);
                int deleted = jobs.executeUpdate();
                writer.commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                writer.rollback();
                throw e;
            } finally {
                writer.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("purging the job store failed: " + e.getMessage(), e);
        }
    }

    /** Forgets everything (the events topic was recreated). */
    synchronized void clear() {
        try (Statement s = writer.createStatement()) {
            s.execute("DELETE FROM labels");
            s.execute("DELETE FROM jobs");
            s.execute("DELETE FROM offsets");
        } catch (SQLException e) {
            throw new IllegalStateException("clearing the job store failed: " + e.getMessage(), e);
        }
        decoded.clear();
    }

    /** Jobs in the store (a count over an index: for tests and the benchmark, not for requests). */
    long count() {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM jobs")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    private static JobEntry entry(ResultSet rs) throws SQLException {
        JobView view = Json.decode(rs.getBytes(1), JobView.class);
        byte[] spec = rs.getBytes(2);
        StoredEvents events = Json.decode(rs.getBytes(3), StoredEvents.class);
        return new JobEntry(view, spec == null ? null : Json.decode(spec, JobSpec.class),
                events.applied() == null ? Set.of() : events.applied(),
                events.events() == null ? List.of() : events.events(), events.first());
    }

    static long nanos(Instant at) {
        Instant t = at == null ? Instant.EPOCH : at;
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Read<T> body) {
        if (closed) {
            throw new IllegalStateException("the job store is closed");
        }
        Connection c = readers.poll();
        try {
            if (c == null) {
                c = openedReaders.incrementAndGet() <= READERS ? open() : readers.poll(10, TimeUnit.SECONDS);
                if (c == null) {
                    throw new IllegalStateException("no job store connection free within 10 s");
                }
            }
            return body.run(c);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the job store failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a job store connection", e);
        } finally {
            if (c != null && !readers.offer(c)) {
                closeQuietly(c);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Connection c;
        while ((c = readers.poll()) != null) {
            closeQuietly(c);
        }
        closeQuietly(writer);
        if (lock != null) {
            closeQuietly(lock);
        }
        if (temporary) {
            for (String suffix : List.of("", "-wal", "-shm")) {
                try {
                    Files.deleteIfExists(Path.of(file + suffix));
                } catch (IOException e) {
                    LOG.debug("cannot delete {}{}", file, suffix, e);
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing a job store connection failed", e);
        }
    }
}
