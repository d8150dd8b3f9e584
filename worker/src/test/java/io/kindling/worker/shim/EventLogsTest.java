package io.kindling.worker.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogsTest {

    @Test
    void readsTheAppIdFromEveryFormSparkNamesItsEventLog() {
        assertThat(EventLogs.appIdOf("local-1732000000000")).contains("local-1732000000000");
        assertThat(EventLogs.appIdOf("local-1732000000000.inprogress")).contains("local-1732000000000");
        assertThat(EventLogs.appIdOf("app-20241119101010-0001.zstd.inprogress")).contains("app-20241119101010-0001");
        assertThat(EventLogs.appIdOf("application_1700000000000_0001.lz4")).contains("application_1700000000000_0001");
        assertThat(EventLogs.appIdOf("eventlog_v2_local-1795240373112")).contains("local-1795240373112");
        assertThat(EventLogs.appIdOf(".local-1.inprogress.crc")).isEmpty();
        assertThat(EventLogs.appIdOf("weird name")).isEmpty();
    }

    @Test
    void findsNothingInAnEmptyOrMissingDirectory(@TempDir Path dir) throws Exception {
        assertThat(EventLogs.appId(dir)).isEmpty();
        assertThat(EventLogs.appId(dir.resolve("missing"))).isEmpty();

        Files.createDirectory(dir.resolve("eventlog_v2_local-1795240373112"));
        Files.writeString(dir.resolve(".hidden.crc"), "x");
        assertThat(EventLogs.appId(dir)).contains("local-1795240373112");
    }
}
