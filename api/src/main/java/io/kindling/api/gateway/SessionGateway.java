package io.kindling.api.gateway;

import io.kindling.common.relay.RelayProtocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The session gateway: the only listener of the interactive path. Notebook clients connect to
 * its client port (gRPC, TLS with ALPN h2); each session's relay agent dials out to its agent port
 * (TLS). A client connection's calls are admitted by {@link Admission} and relayed, bytes unchanged,
 * through a data connection the session's agent dialled back ({@link ClientGate}, {@link AgentDoor}).
 * TLS ends here; inside the relay the client's HTTP/2 is plaintext to the Spark Connect server on
 * the worker's loopback. {@link #close()} closes both listeners and every connection and waits.
 */
public final class SessionGateway implements AutoCloseable {
    private static final Duration DIAL_BACK = Duration.ofSeconds(15);
    private final EventLoopGroup group;
    private final Channel clients;
    private final Channel agents;
    private final AgentLinks links;

    private SessionGateway(EventLoopGroup group, Channel clients, Channel agents, AgentLinks links) {
        this.group = group;
        this.clients = clients;
        this.agents = agents;
        this.links = links;
    }

    public static SessionGateway start(GatewayConfig config, SessionRoutes routes, BearerAuthenticator authenticator) {
        return start(config, routes, authenticator, new SessionActivity(java.time.Clock.systemUTC()));
    }

    /** As {@link #start(GatewayConfig, SessionRoutes, BearerAuthenticator)}, recording each admitted call in {@code activity}. */
    public static SessionGateway start(GatewayConfig config, SessionRoutes routes, BearerAuthenticator authenticator,
            SessionActivity activity) {
        SslContext clientTls = tls(config, true);
        SslContext agentTls = tls(config, false);
        AgentLinks links = new AgentLinks(DIAL_BACK);
        Admission admission = new Admission(routes, authenticator, activity);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel clients = listen(group, config.host(), config.clientPort(), new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(clientTls.newHandler(ch.alloc()), new ClientGate(admission, links));
                }
            });
            Channel agents = listen(group, config.host(), config.agentPort(), new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(agentTls.newHandler(ch.alloc()))
                            .addLast(AgentDoor.LINES, new LineBasedFrameDecoder(RelayProtocol.MAX_LINE))
                            .addLast(new AgentDoor(routes, links));
                }
            });
            return new SessionGateway(group, clients, agents, links);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    private static Channel listen(EventLoopGroup group, String host, int port, ChannelInitializer<SocketChannel> init) {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(init)
                .bind(host, port).syncUninterruptibly().channel();
    }

    private static SslContext tls(GatewayConfig config, boolean http2) {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(config.certificateChain().toFile(), config.privateKey().toFile())
                    .sslProvider(SslProvider.JDK);
            if (http2) {
                builder.ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2));
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the gateway's certificate " + config.certificateChain()
                    + " and key " + config.privateKey() + ": " + e.getMessage(), e);
        }
    }

    /** The client port bound (the configured one, or the free one picked for port 0). */
    public int clientPort() {
        return ((InetSocketAddress) clients.localAddress()).getPort();
    }

    /** The agent port bound. */
    public int agentPort() {
        return ((InetSocketAddress) agents.localAddress()).getPort();
    }

    /** Whether the relay agent of {@code sessionId} is connected now. */
    public boolean agentConnected(String sessionId) {
        return links.connected(sessionId);
    }

    /** Client connections relayed through a data connection an agent dialled back, since the start. */
    public long relayedConnections() {
        return links.relayedConnections();
    }

    @Override
    public void close() {
        clients.close().syncUninterruptibly();
        agents.close().syncUninterruptibly();
        links.closeAll();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
