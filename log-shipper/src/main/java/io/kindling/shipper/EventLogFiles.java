package io.kindling.shipper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Spark event logs of an ended attempt. Spark writes {@code <appId>.inprogress} and renames it
 * to {@code <appId>} when the application stops; an in-progress file is uploaded only when the
 * driver ended without renaming it. Rolling event logs (a directory per application) keep their
 * relative paths.
 */
final class EventLogFiles {

    /** One file, and its name relative to the event log directory ('/'-separated). */
    record EventLogFile(Path path, String name) {
    }

    private EventLogFiles() {
    }

    static List<EventLogFile> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of(); // no exception thrown and caught for an attempt without event logs
        }
        List<EventLogFile> files;
        // one stat per entry; a symbolic link is not followed (nor uploaded)
        try (Stream<Path> walk = Files.find(dir, Integer.MAX_VALUE,
                (path, attributes) -> attributes.isRegularFile() && !path.equals(dir))) {
            files = walk.map(path -> new EventLogFile(path, relativeName(dir, path)))
                    .sorted((a, b) -> a.name().compareTo(b.name()))
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of(); // removed meanwhile (by another shipper)
        }
        Set<String> names = files.stream().map(EventLogFile::name).collect(Collectors.toSet());
        return files.stream().filter(file -> !renamedLater(file.name(), names)).toList();
    }

    private static boolean renamedLater(String name, Set<String> names) {
        return name.endsWith(AttemptShipper.INPROGRESS_SUFFIX)
                && names.contains(name.substring(0, name.length() - AttemptShipper.INPROGRESS_SUFFIX.length()));
    }

    private static String relativeName(Path dir, Path file) {
        return dir.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }
}
