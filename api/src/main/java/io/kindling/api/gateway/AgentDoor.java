package io.kindling.api.gateway;

import io.kindling.api.auth.StaticTokens;
import io.kindling.common.relay.RelayProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first line of a connection on the agent port decides what it is ({@link RelayProtocol}): a
 * session's control connection, admitted when its secret matches the session's, or a data
 * connection dialled back for a pending client connection, which then becomes a {@link Pipe}.
 */
final class AgentDoor extends ChannelInboundHandlerAdapter {
    static final String LINES = "lines";
    private static final Logger LOG = LoggerFactory.getLogger(AgentDoor.class);
    private final SessionRoutes routes;
    private final AgentLinks links;
    private String controlOf;

    AgentDoor(SessionRoutes routes, AgentLinks links) {
        this.routes = routes;
        this.links = links;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        String line;
        try {
            line = ((ByteBuf) msg).toString(StandardCharsets.US_ASCII);
        } finally {
            ((ByteBuf) msg).release();
        }
        if (controlOf != null) {
            return; // the agent says nothing more on its control connection
        }
        String[] words = RelayProtocol.words(line);
        if (words.length == 3 && words[0].equals(RelayProtocol.AGENT)) {
            admitAgent(ctx, words[1], words[2]);
        } else if (words.length == 2 && words[0].equals(RelayProtocol.DATA)) {
            Pipe pipe = new Pipe();
            ctx.pipeline().addAfter(ctx.name(), "pipe", pipe);
            ctx.pipeline().remove(this);
            ctx.pipeline().remove(LINES); // bytes after the line go to the pipe, kept until it has a peer
            if (!links.dialledBack(words[1], ctx.channel())) {
                LOG.warn("gateway: data connection from {} for an unknown connection id", ctx.channel().remoteAddress());
                ctx.close();
            }
        } else {
            LOG.warn("gateway: agent port: not a relay line from {}", ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    private void admitAgent(ChannelHandlerContext ctx, String sessionId, String secret) {
        Optional<SessionRoute> route = routes.find(sessionId);
        boolean ok = route.isPresent() && MessageDigest.isEqual(StaticTokens.sha256Hex(secret).getBytes(StandardCharsets.US_ASCII),
                route.get().agentSecretSha256().getBytes(StandardCharsets.US_ASCII));
        if (!ok) {
            LOG.warn("gateway: refused a relay agent for session {} from {}", sessionId, ctx.channel().remoteAddress());
            ctx.writeAndFlush(ctx.alloc().buffer().writeBytes((RelayProtocol.DENIED + "\n").getBytes(StandardCharsets.US_ASCII)))
                    .addListener(f -> ctx.close());
            return;
        }
        controlOf = sessionId;
        links.register(sessionId, ctx.channel());
        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes((RelayProtocol.OK + "\n").getBytes(StandardCharsets.US_ASCII)));
        LOG.info("gateway: relay agent of session {} connected from {}", sessionId, ctx.channel().remoteAddress());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (controlOf != null) {
            links.unregister(controlOf, ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
