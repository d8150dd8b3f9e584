package io.kindling.common.relay;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of a session's relay: it dials OUT to the gateway's agent port (TLS, the
 * gateway's certificate checked against the Kindling CA), keeps that control connection, and for
 * every {@code OPEN <id>} dials a data connection to the gateway and one to the Spark Connect
 * server on loopback and copies bytes both ways. Nothing here listens: the only listener near the
 * cluster is the Spark Connect server on {@code 127.0.0.1}. A lost control connection is dialled
 * again after {@link Config#redial()}; {@link #close()} ends the control loop and every pipe and
 * waits for them.
 */
public final class RelayAgent implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayAgent.class);

    /**
     * @param gatewayHost  the gateway's host name (checked against its certificate)
     * @param agentPort    the gateway's agent port
     * @param tls          trusts the gateway's certificate authority
     * @param sessionId    the session this agent serves
     * @param secret       the session's agent secret (the gateway keeps its SHA-256)
     * @param serverPort   the Spark Connect server's port on 127.0.0.1
     * @param redial       the pause before dialling the gateway again after the control connection ends
     */
    public record Config(String gatewayHost, int agentPort, SSLContext tls, String sessionId, String secret,
                         int serverPort, Duration redial) {
    }

    private final Config config;
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private final Thread control;
    private volatile boolean closed;
    private volatile boolean connected;

    private RelayAgent(Config config) {
        this.config = config;
        this.control = Thread.ofVirtual().name("relay-agent-" + config.sessionId()).unstarted(this::controlLoop);
    }

    /** Starts the agent; it dials the gateway at once and again whenever the control connection ends. */
    public static RelayAgent start(Config config) {
        RelayProtocol.agentLine(config.sessionId(), config.secret()); // validates both
        RelayAgent agent = new RelayAgent(config);
        agent.control.start();
        return agent;
    }

    private void controlLoop() {
        while (!closed) {
            try (SSLSocket socket = dialGateway()) {
                track(socket);
                write(socket, RelayProtocol.agentLine(config.sessionId(), config.secret()));
                BufferedReader lines = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                String answer = lines.readLine();
                if (!RelayProtocol.OK.equals(answer)) {
                    LOG.warn("gateway {}:{} refused the relay agent of session {}: {}", config.gatewayHost(),
                            config.agentPort(), config.sessionId(), answer);
                } else {
                    LOG.info("relay agent of session {} connected to gateway {}:{}", config.sessionId(),
                            config.gatewayHost(), config.agentPort());
                    connected = true;
                    for (String line = lines.readLine(); line != null && !closed; line = lines.readLine()) {
                        String[] words = RelayProtocol.words(line);
                        if (words.length == 2 && words[0].equals(RelayProtocol.OPEN)) {
                            String id = words[1];
                            Thread.ofVirtual().name("relay-pipe-" + id).start(() -> pipe(id));
                        } else {
                            LOG.warn("relay agent of session {}: ignoring line from gateway: {}", config.sessionId(), line);
                        }
                    }
                }
                open.remove(socket);
            } catch (IOException e) {
                connected = false;
                if (!closed) {
                    LOG.warn("relay agent of session {}: gateway {}:{}: {}", config.sessionId(), config.gatewayHost(),
                            config.agentPort(), e.toString());
                }
            }
            connected = false;
            pauseBeforeRedial();
        }
    }

    /**
     * Whether a server answers on the loopback port {@code port}, where {@link #pipe} dials it: a TCP
     * connection within a second. The one check, before an agent starts and while it runs, that the
     * session's Spark Connect server is there.
     */
    public static boolean serverAnswers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True while the gateway has accepted this agent's control connection. */
    public boolean connected() {
        return connected;
    }

    private void pipe(String connectionId) {
        try (SSLSocket gateway = dialGateway(); Socket server = new Socket()) {
            track(gateway);
            track(server);
            write(gateway, RelayProtocol.dataLine(connectionId));
            server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.serverPort()), 10_000);
            server.setTcpNoDelay(true);
            Thread up = Thread.ofVirtual().name("relay-up-" + connectionId)
                    .start(() -> copy(gateway, server));
            copy(server, gateway);
            up.join();
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("relay agent of session {}: connection {}: {}", config.sessionId(), connectionId, e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies {@code from} into {@code to} until {@code from} ends, then closes both (ending the other direction too). */
    private void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[32 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the other direction closed the sockets, or the peer went away: both end below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private SSLSocket dialGateway() throws IOException {
        SSLSocket socket = (SSLSocket) config.tls().getSocketFactory().createSocket();
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.connect(new InetSocketAddress(config.gatewayHost(), config.agentPort()), 10_000);
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        socket.startHandshake();
        return socket;
    }

    private static void write(Socket socket, String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void track(Socket socket) {
        open.add(socket);
        if (closed) {
            closeQuietly(socket);
        }
    }

    private void pauseBeforeRedial() {
        if (closed) {
            return;
        }
        try {
            TimeUnit.MILLISECONDS.sleep(config.redial().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
    }

    @Override
    public void close() {
        closed = true;
        open.forEach(RelayAgent::closeQuietly);
        control.interrupt();
        try {
            control.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
