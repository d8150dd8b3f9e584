package io.kindling.api.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind Netty's HTTP/2 server codec on a refused client connection: answers every call with a
 * trailers-only gRPC response carrying the refusal's status and reason, so the client shows
 * the reason (and does not retry a refusal that is not UNAVAILABLE).
 */
final class GrpcRefusal extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcRefusal.class);
    private final int code;
    private final String reason;

    GrpcRefusal(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame request && request.stream() != null && request.stream().id() % 2 == 1
                    && request.headers().contains(":path")) {
                Http2Headers trailers = new DefaultHttp2Headers().status("200")
                        .set("content-type", "application/grpc")
                        .set("grpc-status", Integer.toString(code))
                        .set("grpc-message", percentEncode(reason));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true).stream(request.stream()));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("gateway: refused connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** gRPC's grpc-message encoding: printable ASCII except '%' as is, the rest as %XX of UTF-8. */
    private static String percentEncode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (b >= 0x20 && b < 0x7f && b != '%') {
                out.append((char) b);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
