package io.kindling.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {
    @TempDir
    Path root;

    @Test
    void createsTheMissingLevelsAndRemembersThem() throws IOException {
        Directories directories = new Directories(root);
        Files.createDirectories(root.resolve("logs/acme"));

        directories.createIn(root.resolve("logs/acme/job-1/1/index.json"), Files::createFile);

        assertThat(root.resolve("logs/acme/job-1/1/index.json")).isRegularFile();
        assertThat(directories.knows(root.resolve("logs/acme/job-1/1"))).isTrue();
        assertThat(directories.knows(root.resolve("logs/acme/job-1"))).isTrue();
        assertThat(directories.knows(root.resolve("logs/acme"))).isTrue(); // it already existed
        assertThat(directories.knows(root)).isFalse(); // the root is never stored, it always exists
    }

    @Test
    void eachNewDirectorysParentIsForcedBeforeTheFileIsCreatedAndAKnownOneIsNot() throws IOException {
        List<String> events = new ArrayList<>();
        Directories directories = new Directories(root, dir -> events.add("force " + root.relativize(dir)));
        Files.createDirectories(root.resolve("logs"));

        directories.createIn(root.resolve("logs/acme/job-1/index.json"), file -> {
            events.add("create " + root.relativize(file));
            return Files.createFile(file);
        });
        assertThat(events).containsExactly("force ", "force logs", "force logs/acme", "create logs/acme/job-1/index.json");

        events.clear();
        directories.createIn(root.resolve("logs/acme/job-2/index.json"), Files::createFile);
        assertThat(events).as("only the new job's directory, into its known parent").containsExactly("force logs/acme");
    }

    @Test
    void aRememberedDirectoryRemovedMeanwhileIsCreatedAgain() throws IOException {
        Directories directories = new Directories(root);
        directories.createIn(root.resolve("a/b/c/one"), Files::createFile);
        Files.delete(root.resolve("a/b/c/one"));
        Files.delete(root.resolve("a/b/c"));
        Files.delete(root.resolve("a/b"));

        directories.createIn(root.resolve("a/b/c/two"), Files::createFile);

        assertThat(root.resolve("a/b/c/two")).isRegularFile();
    }

    @Test
    void aFileWhereADirectoryBelongsIsAnError() throws IOException {
        Directories directories = new Directories(root);
        Files.writeString(root.resolve("a"), "x");

        assertThatThrownBy(() -> directories.createIn(root.resolve("a/b/file"), Files::createFile))
                .isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void remembersAtMostItsBound() throws IOException {
        Directories directories = new Directories(root);
        for (int i = 0; i <= Directories.MAX_KNOWN; i++) {
            directories.createIn(root.resolve("d" + i + "/file"), Files::createFile);
        }

        assertThat(directories.knows(root.resolve("d" + Directories.MAX_KNOWN))).isTrue();
        assertThat(directories.knows(root.resolve("d0"))).isFalse();
    }
}
