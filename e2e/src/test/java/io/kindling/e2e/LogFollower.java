package io.kindling.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client following a log stream ({@code follow=true}) on a thread of its own: keeps every byte
 * it receives and when it received the first full line.
 */
final class LogFollower implements AutoCloseable {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long firstLineReceivedMillis;
    private volatile String firstLine;
    private volatile boolean ended;
    private volatile int status;
    private final Thread thread;
    private volatile InputStream body;

    LogFollower(int port, String authorization, String jobId, String stream) {
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/jobs/" + jobId + "/logs/" + stream + "?follow=true");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.thread = Thread.ofVirtual().name("follow-" + stream).start(() -> {
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).header("Authorization", authorization)
                                .GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                status = response.statusCode();
                body = response.body();
                byte[] buffer = new byte[64 * 1024];
                int n;
                try (InputStream in = response.body()) {
                    while ((n = in.read(buffer)) >= 0) {
                        long now = System.currentTimeMillis();
                        synchronized (received) {
                            received.write(buffer, 0, n);
                            if (firstLine == null) {
                                String text = received.toString(UTF_8);
                                int newline = text.indexOf('\n');
                                if (newline >= 0) {
                                    firstLineReceivedMillis = now;
                                    firstLine = text.substring(0, newline);
                                }
                            }
                        }
                    }
                }
                ended = true;
            } catch (Exception e) {
                failure.set(e);
            }
        });
    }

    String text() {
        synchronized (received) {
            return received.toString(UTF_8);
        }
    }

    long lines() {
        return text().chars().filter(c -> c == '\n').count();
    }

    String firstLine() {
        return firstLine;
    }

    long firstLineReceivedMillis() {
        return firstLineReceivedMillis;
    }

    /** The response ended normally (the server ended it: the log is complete). */
    boolean ended() {
        return ended;
    }

    int status() {
        return status;
    }

    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws Exception {
        InputStream in = body;
        if (in != null) {
            in.close();
        }
        thread.interrupt();
    }
}
