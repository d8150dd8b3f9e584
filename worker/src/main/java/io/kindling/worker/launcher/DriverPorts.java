package io.kindling.worker.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The ports of one client-mode driver: its RPC port, its block manager's and its UI's, handed out
 * from the pool's {@code driverPortRange} so that drivers running at once on this worker do not collide.
 */
public record DriverPorts(String host, int driver, int blockManager, int ui) {

    /** The Spark UI link people follow: {@code http://<driver host>:<ui port>}. */
    public String uiUrl() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + ui;
    }

    List<Integer> all() {
        return List.of(driver, blockManager, ui);
    }

    /**
     * Three ports of {@code range} that no running driver of this worker holds ({@code taken}) and
     * that nothing else listens on right now; empty when the range has none left.
     */
    static Optional<DriverPorts> allocate(SparkSubmitConfig.PortRange range, String host, Set<Integer> taken) {
        List<Integer> picked = new ArrayList<>(3);
        for (int port = range.first(); port <= range.last() && picked.size() < 3; port++) {
            if (!taken.contains(port) && free(port)) {
                picked.add(port);
            }
        }
        if (picked.size() < 3) {
            return Optional.empty();
        }
        return Optional.of(new DriverPorts(host, picked.get(0), picked.get(1), picked.get(2)));
    }

    /** The configured driver host, else this machine's host name. */
    static String hostOrDefault(String configured) {
        if (configured != null) {
            return configured;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new java.net.InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
