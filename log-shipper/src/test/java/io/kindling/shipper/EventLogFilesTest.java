package io.kindling.shipper;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogFilesTest {
    @TempDir
    Path root;

    @Test
    void listsRegularFilesWithTheirRelativeNamesButNoLinksAndNoRenamedInProgressFile() throws IOException {
        Path dir = Files.createDirectories(root.resolve("eventlog/eventlog_v2_app-2"));
        Files.writeString(root.resolve("eventlog/app-1"), "e");
        Files.writeString(root.resolve("eventlog/app-1.inprogress"), "e"); // renamed later: app-1 is it
        Files.writeString(root.resolve("eventlog/app-3.inprogress"), "e"); // the driver ended before renaming it
        Files.writeString(dir.resolve("events_1_app-2"), "e");
        Files.writeString(root.resolve("secret"), "not the driver's to upload");
        Files.createSymbolicLink(root.resolve("eventlog/app-4"), root.resolve("secret"));

        assertThat(EventLogFiles.list(root.resolve("eventlog"))).extracting(EventLogFiles.EventLogFile::name)
                .containsExactly("app-1", "app-3.inprogress", "eventlog_v2_app-2/events_1_app-2");
    }

    @Test
    void noEventLogDirectoryIsNoEventLog() throws IOException {
        assertThat(EventLogFiles.list(root.resolve("eventlog"))).isEmpty();
        Files.writeString(root.resolve("eventlog"), "a file, not a directory");
        assertThat(EventLogFiles.list(root.resolve("eventlog"))).isEmpty();
    }
}
