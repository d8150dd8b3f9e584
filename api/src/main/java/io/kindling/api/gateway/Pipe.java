package io.kindling.api.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Copies what one channel reads into its peer (what it read before it has a peer is kept), pausing reads while the peer cannot take more
 * (back-pressure both ways: the peer's handler resumes this channel when it drains), and closes the
 * peer, after flushing, when this channel closes.
 */
class Pipe extends ChannelInboundHandlerAdapter {
    private final Queue<Object> early = new ArrayDeque<>();
    private volatile Channel peer;

    /**
     * Pipes {@code channel}'s reads into {@code peer} from now on, after what it read before (run on
     * {@code channel}'s event loop).
     */
    void attach(Channel channel, Channel peer) {
        this.peer = peer;
        for (Object msg = early.poll(); msg != null; msg = early.poll()) {
            forward(channel, msg);
        }
    }

    Channel peer() {
        return peer;
    }

    /** Writes {@code msg} to the peer; stops reading {@code from} when the peer's buffer is full. */
    void forward(Channel from, Object msg) {
        Channel to = peer;
        to.writeAndFlush(msg).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        if (!to.isWritable()) {
            from.config().setAutoRead(false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (peer == null) {
            early.add(msg);
        } else {
            forward(ctx.channel(), msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel to = peer;
        if (to != null && ctx.channel().isWritable()) {
            to.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    static void closeAfterFlush(Channel channel) {
        if (channel != null && channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
