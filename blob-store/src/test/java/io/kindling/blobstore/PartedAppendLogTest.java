package io.kindling.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartedAppendLogTest extends PartedAppendLogContract {

    @TempDir
    Path root;

    @Override
    protected BlobStore openStore(String testName) {
        return new LocalDirBlobStore(root.resolve(testName));
    }

    @Test
    void namesPartsAfterTheLog() {
        assertThat(PartedAppendLog.partPath(LOG, 0)).isEqualTo(LOG);
        assertThat(PartedAppendLog.partPath(LOG, 1)).isEqualTo(LOG + ".part-0001");
        assertThat(PartedAppendLog.partPath(LOG, 12345)).isEqualTo(LOG + ".part-12345");
        assertThat(BlobPaths.isValid(PartedAppendLog.partPath(LOG, 7))).isTrue();
    }

    @Test
    void theLimitStaysBelowAzures() {
        assertThat(new PartedAppendLog(store).maxBlocksPerPart()).isEqualTo(49_000);
        assertThatThrownBy(() -> new PartedAppendLog(store, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PartedAppendLog(store, 50_001)).isInstanceOf(IllegalArgumentException.class);
    }
}
