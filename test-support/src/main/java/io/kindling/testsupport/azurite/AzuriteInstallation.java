package io.kindling.testsupport.azurite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the pinned Azurite lives: {@code tools/azurite} in the project, installed there by
 * {@code npm ci --prefix tools/azurite}.
 *
 * <p>The project directory comes from the system property {@value #PROJECT_DIR_PROPERTY}
 * (set by the build for failsafe), else from walking up from the working directory to the first
 * directory holding {@code tools/azurite/package.json}. The Node.js executable is
 * {@value #NODE_PROPERTY} if set, else {@code node} from the PATH.
 */
public record AzuriteInstallation(Path directory, String node) {

    public static final String PROJECT_DIR_PROPERTY = "kindling.project.dir";
    public static final String NODE_PROPERTY = "kindling.node";
    static final Path TOOL_DIR = Path.of("tools", "azurite");
    static final String NOT_INSTALLED =
            "Azurite is not installed: run `npm ci --prefix tools/azurite` (./kindling test does this)";

    public AzuriteInstallation {
        directory = directory.toAbsolutePath().normalize();
        if (node == null || node.isBlank()) {
            throw new IllegalArgumentException("node executable must be given");
        }
    }

    /** Finds {@code tools/azurite} and checks that Azurite is installed in it. */
    public static AzuriteInstallation locate() {
        Path projectDir = Optional.ofNullable(System.getProperty(PROJECT_DIR_PROPERTY))
                .filter(dir -> !dir.isBlank())
                .map(Path::of)
                .or(() -> findProjectDir(Path.of("").toAbsolutePath()))
                .orElseThrow(() -> new IllegalStateException("Could not find " + TOOL_DIR.resolve("package.json")
                        + " above " + Path.of("").toAbsolutePath() + "; set -D" + PROJECT_DIR_PROPERTY
                        + "=<the Kindling checkout>"));
        String node = Optional.ofNullable(System.getProperty(NODE_PROPERTY)).filter(n -> !n.isBlank()).orElse("node");
        return new AzuriteInstallation(projectDir.resolve(TOOL_DIR), node).requireInstalled();
    }

    /** The directory at or above {@code start} that holds {@code tools/azurite/package.json}. */
    static Optional<Path> findProjectDir(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(TOOL_DIR).resolve("package.json"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** The entry point of Azurite's blob service. */
    public Path blobMain() {
        return directory.resolve(Path.of("node_modules", "azurite", "dist", "src", "blob", "main.js"));
    }

    /** This installation, or a failure that says how to install Azurite. Never a silent skip. */
    public AzuriteInstallation requireInstalled() {
        if (!Files.isRegularFile(directory.resolve("package.json"))) {
            throw new IllegalStateException("No Azurite package at " + directory + " (missing package.json)");
        }
        if (!Files.isRegularFile(blobMain())) {
            throw new IllegalStateException(NOT_INSTALLED + " [looked for " + blobMain() + "]");
        }
        return this;
    }
}
