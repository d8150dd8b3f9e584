package io.kindling.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The worker's own container image, {@code kindling/worker:<project version>} as Jib builds it. */
public final class WorkerImage {
    public static final String REPOSITORY = "kindling/worker";

    private WorkerImage() {
    }

    /** {@code kindling/worker:<version>}, the version from the build ({@code version.properties}). */
    public static String reference() {
        try (InputStream in = WorkerImage.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String version = p.getProperty("version", "latest");
            return REPOSITORY + ":" + (version.startsWith("${") ? "latest" : version);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
