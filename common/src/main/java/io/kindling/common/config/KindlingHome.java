package io.kindling.common.config;

import java.nio.file.Path;

/** Where a component keeps its state and spool: {@code KINDLING_HOME}, default {@code ./.kindling}. */
public final class KindlingHome {
    public static final ConfigParameter<String> HOME =
            ConfigParameter.string("KINDLING_HOME", "./.kindling", "directory for state, spool and logs");

    private KindlingHome() {
    }

    public static Path from(EnvConfig config) {
        return Path.of(config.get(HOME)).toAbsolutePath().normalize();
    }
}
