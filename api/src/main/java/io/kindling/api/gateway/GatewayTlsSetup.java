package io.kindling.api.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What {@code ./kindling up} runs once before the stack starts: makes sure {@code <dir>} holds the
 * gateway's CA, certificate and key ({@link GatewayCertificates}, valid for {@code localhost},
 * {@code 127.0.0.1} and the names given) and the relay key {@value #RELAY_KEY} (32 random bytes,
 * base64, mode 0600) the api and the workers share. Existing files are kept (clients keep trusting
 * the same CA) unless the certificate's names changed ({@value #NAMES_FILE}); then the CA and the
 * certificate are created again. Usage: {@code GatewayTlsSetup <dir> [name...]}.
 */
public final class GatewayTlsSetup {
    public static final String RELAY_KEY = "relay.key";
    static final String NAMES_FILE = "gateway-names";
    static final Duration VALIDITY = Duration.ofDays(825);

    private GatewayTlsSetup() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: GatewayTlsSetup <dir> [name...]");
            System.exit(2);
        }
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        names.addAll(List.of(args).subList(1, args.length));
        System.out.println(ensure(Path.of(args[0]), names));
    }

    /** Creates what is missing in {@code dir}; returns what was done, for the script's output. */
    public static String ensure(Path dir, List<String> names) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        List<String> wanted = List.copyOf(new LinkedHashSet<>(names.stream().filter(n -> !n.isBlank()).toList()));
        String namesLine = String.join(",", wanted);
        Path namesFile = dir.resolve(NAMES_FILE);
        boolean present = List.of(GatewayCertificates.CA_FILE, GatewayCertificates.CHAIN_FILE, GatewayCertificates.KEY_FILE)
                .stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
        boolean sameNames = Files.isRegularFile(namesFile) && Files.readString(namesFile).strip().equals(namesLine);
        List<String> done = new ArrayList<>();
        if (!present || !sameNames) {
            GatewayCertificates.create(dir, wanted, VALIDITY);
            Files.writeString(namesFile, namesLine + "\n");
            done.add((present ? "re-created (names changed)" : "created") + " the gateway CA and certificate for " + namesLine);
        }
        Path key = dir.resolve(RELAY_KEY);
        if (!Files.isRegularFile(key)) {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "\n", StandardCharsets.UTF_8);
            done.add("created the relay key " + RELAY_KEY);
        }
        return done.isEmpty() ? "kept the gateway's TLS files and relay key in " + dir : String.join("; ", done) + " in " + dir;
    }
}
