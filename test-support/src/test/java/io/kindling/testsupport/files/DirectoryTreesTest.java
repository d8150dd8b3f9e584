package io.kindling.testsupport.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class DirectoryTreesTest {

    @TempDir
    Path dir;

    @Test
    void removesTheRootAndEverythingUnderIt() throws Exception {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/file"), "x");
        Files.writeString(root.resolve("top"), "y");
        Files.createDirectories(dir.resolve("sibling"));

        DirectoryTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(dir.resolve("sibling")).isDirectory();
    }

    @Test
    void aMissingRootIsFine() {
        assertThatCode(() -> DirectoryTrees.delete(dir.resolve("missing"))).doesNotThrowAnyException();
    }
}
