package io.kindling.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a process tree listens on, read from Linux's {@code /proc}: each process's
 * socket inodes ({@code /proc/<pid>/fd}) matched with the LISTEN entries of
 * {@code /proc/net/tcp} and {@code tcp6}.
 *
 * @param address the local address as {@code /proc} prints it (hex)
 */
record ListeningSockets(List<Listener> listeners) {
    record Listener(String address, int port) {
        private static final Set<String> LOOPBACK = Set.of("0100007F", "0000000000000000FFFF00000100007F",
                "00000000000000000000000001000000");

        boolean loopback() {
            return LOOPBACK.contains(address);
        }
    }

    static ListeningSockets of(ProcessHandle root) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (ProcessHandle p : Stream.concat(Stream.of(root), root.descendants()).toList()) {
            Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
            try (Stream<Path> list = Files.list(fds)) {
                for (Path fd : list.toList()) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException e) {
                        // closed meanwhile
                    }
                }
            } catch (IOException e) {
                // the process ended meanwhile
            }
        }
        List<Listener> listeners = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table)).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                    String[] local = f[1].split(":");
                    listeners.add(new Listener(local[0], Integer.parseInt(local[1], 16)));
                }
            }
        }
        return new ListeningSockets(List.copyOf(listeners));
    }

    /** The listeners on an address other than loopback. */
    List<Listener> beyondLoopback() {
        return listeners.stream().filter(l -> !l.loopback()).toList();
    }

    /** True if {@code port} is listened on, and on loopback only. */
    boolean onLoopbackOnly(int port) {
        return includesPort(port) && listeners.stream().filter(l -> l.port() == port).allMatch(Listener::loopback);
    }

    boolean allLoopback() {
        return listeners.stream().allMatch(Listener::loopback);
    }

    boolean includesPort(int port) {
        return listeners.stream().anyMatch(l -> l.port() == port);
    }
}
