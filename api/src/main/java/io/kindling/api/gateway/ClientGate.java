package io.kindling.api.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A notebook client's connection, after TLS: reads the client's HTTP/2 frames (without changing a
 * byte), decodes every request's headers (HPACK, in order, so the decoder's table stays the
 * client's) and lets {@link Admission} judge each call. The first admitted call makes the session's
 * relay agent dial a data connection back; from then on every frame passes to it unchanged, and the
 * agent's {@link Pipe} passes the server's frames back. A refused first call is answered by Netty's
 * HTTP/2 codec with the refusal's gRPC status; a refused later call closes the connection.
 * The only change to the client's bytes: the acknowledgement of the gateway's own first SETTINGS is dropped.
 */
final class ClientGate extends Pipe {
    private static final Logger LOG = LoggerFactory.getLogger(ClientGate.class);
    private static final int FRAME_HEADER = 9;
    private static final int HEADERS = 0x1;
    private static final int CONTINUATION = 0x9;
    private static final int SETTINGS = 0x4;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int MAX_HEADER_LIST = 64 * 1024;

    private enum State { FIRST_CALL, CONNECTING, RELAYING, DONE }

    private final Admission admission;
    private final AgentLinks links;
    private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false, MAX_HEADER_LIST);
    private State state = State.FIRST_CALL;
    private boolean prefaceSeen;
    private boolean ownSettingsAcked;
    private ByteBuf unparsed;
    private CompositeByteBuf replay;
    private ByteBuf headerBlock;
    private int headerStream;
    private SessionRoute route;

    ClientGate(Admission admission, AgentLinks links) {
        this.admission = admission;
        this.links = links;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        unparsed = ctx.alloc().buffer();
        replay = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.DONE;
        release();
        super.channelInactive(ctx);
    }

    /**
     * gRPC clients send their first call only after the server's SETTINGS: the gateway sends an empty
     * one (HTTP/2 defaults) at once, and drops the client's acknowledgement of it ({@link #parse}),
     * so the server, whose own SETTINGS reach the client later, sees exactly the acknowledgements it expects.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake && handshake.isSuccess()) {
            ctx.writeAndFlush(ctx.alloc().buffer(FRAME_HEADER).writeMedium(0).writeByte(SETTINGS).writeByte(0).writeInt(0));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        try {
            if (state != State.DONE) {
                unparsed.writeBytes(in);
            }
        } finally {
            in.release();
        }
        if (state == State.FIRST_CALL || state == State.RELAYING) {
            parse(ctx);
        }
    }

    private void parse(ChannelHandlerContext ctx) {
        if (!prefaceSeen) {
            int length = Http2CodecUtil.connectionPrefaceBuf().readableBytes();
            if (unparsed.readableBytes() < length) {
                return;
            }
            ByteBuf preface = unparsed.readBytes(length);
            if (!ByteBufUtil.equals(preface, Http2CodecUtil.connectionPrefaceBuf())) {
                preface.release();
                LOG.debug("gateway: {} did not speak HTTP/2", ctx.channel().remoteAddress());
                close(ctx);
                return;
            }
            prefaceSeen = true;
            pass(ctx, preface);
        }
        while ((state == State.FIRST_CALL || state == State.RELAYING) && unparsed.readableBytes() >= FRAME_HEADER) {
            int at = unparsed.readerIndex();
            int length = unparsed.getUnsignedMedium(at);
            if (unparsed.readableBytes() < FRAME_HEADER + length) {
                break;
            }
            int type = unparsed.getUnsignedByte(at + 3);
            int flags = unparsed.getUnsignedByte(at + 4);
            int stream = unparsed.getInt(at + 5) & 0x7fffffff;
            ByteBuf frame = unparsed.readBytes(FRAME_HEADER + length); // a copy: unparsed's memory is reused below
            if (type == SETTINGS && (flags & ACK) != 0 && !ownSettingsAcked) {
                ownSettingsAcked = true;
                frame.release();
                continue;
            }
            Admission.Verdict verdict;
            try {
                verdict = headerBlock(type, flags, stream, frame.slice(FRAME_HEADER, length));
            } catch (Http2Exception | IndexOutOfBoundsException e) {
                frame.release();
                LOG.debug("gateway: bad HTTP/2 headers from {}: {}", ctx.channel().remoteAddress(), e.toString());
                close(ctx);
                return;
            }
            if (verdict != null && !verdict.admitted()) {
                LOG.info("gateway: refused a call from {}: {}", ctx.channel().remoteAddress(), verdict.reason());
                if (state == State.FIRST_CALL) {
                    replay.addComponent(true, frame);
                    refuse(ctx, verdict);
                } else {
                    frame.release();
                    close(ctx);
                }
                return;
            }
            if (verdict != null && state == State.RELAYING && !verdict.route().sessionId().equals(route.sessionId())) {
                frame.release();
                close(ctx);
                return;
            }
            pass(ctx, frame);
            if (verdict != null && state == State.FIRST_CALL) {
                route = verdict.route();
                connect(ctx);
            }
        }
        unparsed.discardSomeReadBytes();
    }

    /** Collects a header block; when complete, decodes it and judges it if it opens a call. */
    private Admission.Verdict headerBlock(int type, int flags, int stream, ByteBuf payload) throws Http2Exception {
        if (type == HEADERS) {
            int start = 0;
            int padding = 0;
            if ((flags & PADDED) != 0) {
                padding = payload.getUnsignedByte(0);
                start = 1;
            }
            if ((flags & PRIORITY) != 0) {
                start += 5;
            }
            releaseHeaderBlock();
            headerStream = stream;
            headerBlock = payload.alloc().buffer().writeBytes(payload, start, payload.readableBytes() - start - padding);
        } else if (type == CONTINUATION && headerBlock != null) {
            headerBlock.writeBytes(payload);
        } else {
            return null;
        }
        if ((flags & END_HEADERS) == 0) {
            return null;
        }
        try {
            Http2Headers headers = hpack.decodeHeaders(headerStream, headerBlock);
            return headers.contains(":path") ? admission.check(headers) : null;
        } finally {
            releaseHeaderBlock();
        }
    }

    private void pass(ChannelHandlerContext ctx, ByteBuf bytes) {
        if (state == State.RELAYING) {
            forward(ctx.channel(), bytes);
        } else {
            replay.addComponent(true, bytes);
        }
    }

    private void connect(ChannelHandlerContext ctx) {
        state = State.CONNECTING;
        ctx.channel().config().setAutoRead(false);
        links.openData(route.sessionId()).addListener((Future<Channel> dialled) -> ctx.executor().execute(() -> {
            if (state != State.CONNECTING) { // the client went away meanwhile
                if (dialled.isSuccess()) {
                    dialled.getNow().close();
                }
                return;
            }
            if (!dialled.isSuccess()) {
                refuse(ctx, Admission.Verdict.refuse(Admission.UNAVAILABLE, dialled.cause().getMessage()));
                return;
            }
            Channel data = dialled.getNow();
            Pipe back = data.pipeline().get(Pipe.class);
            data.eventLoop().execute(() -> back.attach(data, ctx.channel()));
            attach(ctx.channel(), data);
            LOG.info("gateway: relaying {} to session {}", ctx.channel().remoteAddress(), route.sessionId());
            data.writeAndFlush(replay);
            replay = null;
            state = State.RELAYING;
            ctx.channel().config().setAutoRead(true);
            parse(ctx);
        }));
    }

    /** Hands the connection, from its first byte, to Netty's HTTP/2 codec answering every call with the refusal. */
    private void refuse(ChannelHandlerContext ctx, Admission.Verdict verdict) {
        state = State.DONE;
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addAfter(ctx.name(), "h2", Http2FrameCodecBuilder.forServer().build());
        pipeline.addAfter("h2", "refusal", new GrpcRefusal(verdict.code(), verdict.reason()));
        ByteBuf all = ctx.alloc().buffer(replay.readableBytes() + unparsed.readableBytes());
        all.writeBytes(replay).writeBytes(unparsed);
        ChannelHandlerContext tls = pipeline.context(SslHandler.class);
        pipeline.remove(this);
        ctx.channel().config().setAutoRead(true);
        tls.fireChannelRead(all);
        tls.fireChannelReadComplete();
    }

    private void close(ChannelHandlerContext ctx) {
        state = State.DONE;
        ctx.close();
    }

    private void releaseHeaderBlock() {
        if (headerBlock != null) {
            headerBlock.release();
            headerBlock = null;
        }
    }

    private void release() {
        releaseHeaderBlock();
        if (unparsed != null) {
            unparsed.release();
            unparsed = null;
        }
        if (replay != null) {
            replay.release();
            replay = null;
        }
    }
}
