package io.kindling.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Asks the OS for free TCP ports on the loopback address. */
final class FreePorts {

    private FreePorts() {
    }

    /**
     * Returns {@code requested} unless it is 0, in which case the OS picks distinct free ports.
     * All sockets stay bound until every port is chosen, so the results never coincide.
     */
    static int[] resolve(int... requested) {
        ServerSocket[] sockets = new ServerSocket[requested.length];
        try {
            int[] ports = new int[requested.length];
            for (int i = 0; i < requested.length; i++) {
                if (requested[i] != 0) {
                    ports[i] = requested[i];
                } else {
                    sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    sockets[i].setReuseAddress(true);
                    ports[i] = sockets[i].getLocalPort();
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("could not find a free port", e);
        } finally {
            for (ServerSocket socket : sockets) {
                closeQuietly(socket);
            }
        }
    }

    private static void closeQuietly(ServerSocket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // the port is released either way
        }
    }
}
