package io.kindling.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BlobPathsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "tenant-1/job_2/attempt=3/driver.log", "A.b-c_d=e", "...", "x/.hidden"})
    void acceptsRelativeNamesOfSafeCharacters(String path) {
        assertThat(BlobPaths.requireValid(path)).isEqualTo(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/x", "a//b", "a/b c", "", "a/", "..", ".", "a/./b", "a\u0000b", "a/b\u202e"})
    void rejectsEverythingElse(String path) {
        assertThat(BlobPaths.isValid(path)).isFalse();
        assertThatThrownBy(() -> BlobPaths.requireValid(path)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid blob path");
    }

    @Test
    void theMessageNamesThePathWithoutRawControlCharacters() {
        assertThatThrownBy(() -> BlobPaths.requireValid("t1/../x")).hasMessageContaining("'t1/../x'");
        assertThatThrownBy(() -> BlobPaths.requireValid("a\nINFO forged")).hasMessageNotContaining("\n")
                .hasMessageContaining("\\u000a");
    }

    @Test
    void rejectsOverlongPaths() {
        assertThat(BlobPaths.isValid("a".repeat(BlobPaths.MAX_LENGTH))).isTrue();
        assertThat(BlobPaths.isValid("a".repeat(BlobPaths.MAX_LENGTH + 1))).isFalse();
    }

    @Test
    void prefixesMayEndInASlashOrBeEmpty() {
        assertThat(BlobPaths.requireValidPrefix("")).isEmpty();
        assertThat(BlobPaths.requireValidPrefix("a/b/")).isEqualTo("a/b/");
        assertThat(BlobPaths.requireValidPrefix("a/b")).isEqualTo("a/b");
        assertThatThrownBy(() -> BlobPaths.requireValidPrefix("a//")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsTheTotalFromAContentRange() {
        assertThat(AzureBlobStore.totalLength("bytes 0-99/1234")).contains(1234L);
        assertThat(AzureBlobStore.totalLength("bytes */0")).contains(0L);
        assertThat(AzureBlobStore.totalLength(null)).isEmpty();
    }
}
