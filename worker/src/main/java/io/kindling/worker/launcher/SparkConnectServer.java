package io.kindling.worker.launcher;

import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.RunAssignment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What makes a session's attempt different from a job's: its application is Spark's own Spark
 * Connect server ({@code spark-submit --class} {@value #MAIN_CLASS}, no primary resource, as Spark's
 * {@code sbin/start-connect-server.sh} runs it: SparkSubmit knows the class and needs no jar), in
 * client mode on this host, listening on {@value #BINDING_ADDRESS} only, on a free port recorded in the
 * attempt's spool directory ({@value #PORT_FILE}) so that a restarted worker finds it again. The one
 * owner of those settings.
 */
public final class SparkConnectServer {
    public static final String MAIN_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer";
    public static final String BINDING_ADDRESS = "127.0.0.1";
    public static final String ADDRESS_CONF = "spark.connect.grpc.binding.address";
    public static final String PORT_CONF = "spark.connect.grpc.binding.port";
    /** In the attempt's spool directory: the server's port, one decimal line. */
    public static final String PORT_FILE = "connect-port";

    private SparkConnectServer() {
    }

    /** True for a session's attempt (its application is {@code spark-connect}). */
    public static boolean isSession(RunAssignment run) {
        return run.spec() != null && run.spec().application() != null
                && run.spec().application().type() == ApplicationType.SPARK_CONNECT;
    }

    /** True for conf keys the worker sets on a session's server (a session's own conf cannot move its listener). */
    static boolean reservedConf(String key) {
        return key.startsWith("spark.connect.grpc.binding");
    }

    /** A port free on the loopback interface now (the server binds it moments later). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(BINDING_ADDRESS))) {
            return socket.getLocalPort();
        }
    }

    static void writePort(Path attemptDir, int port) throws IOException {
        Path tmp = attemptDir.resolve(PORT_FILE + ".tmp");
        Files.writeString(tmp, port + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, attemptDir.resolve(PORT_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The port recorded for the session's server in {@code attemptDir}, if any. */
    public static Optional<Integer> port(Path attemptDir) {
        try {
            return Optional.of(Integer.parseInt(Files.readString(attemptDir.resolve(PORT_FILE), StandardCharsets.US_ASCII).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
