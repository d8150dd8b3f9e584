package io.kindling.common.relay;

import java.util.regex.Pattern;

/**
 * The lines a session's relay agent and the gateway exchange on the gateway's agent port (TLS).
 * Every connection the agent dials starts with one line, then:
 * <ul>
 *   <li>control: {@code AGENT <sessionId> <secret>}; the gateway answers {@code OK} (or {@code DENIED}
 *       and closes), then sends {@code OPEN <connectionId>} once per client connection it accepted;</li>
 *   <li>data: {@code DATA <connectionId>}; after that line the connection carries the client
 *       connection's bytes (HTTP/2, plaintext inside this TLS connection) both ways.</li>
 * </ul>
 * The one owner of these words: the gateway and the agent both use it.
 */
public final class RelayProtocol {
    public static final String AGENT = "AGENT";
    public static final String OK = "OK";
    public static final String DENIED = "DENIED";
    public static final String OPEN = "OPEN";
    public static final String DATA = "DATA";
    /** Longest line either side sends (ids and secrets are short tokens). */
    public static final int MAX_LINE = 512;
    /** Session ids, secrets and connection ids: URL-safe tokens, nothing that could split a line. */
    public static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9_-]{1,128}$");

    private RelayProtocol() {
    }

    public static String agentLine(String sessionId, String secret) {
        return AGENT + " " + requireToken(sessionId) + " " + requireToken(secret) + "\n";
    }

    public static String openLine(String connectionId) {
        return OPEN + " " + requireToken(connectionId) + "\n";
    }

    public static String dataLine(String connectionId) {
        return DATA + " " + requireToken(connectionId) + "\n";
    }

    /** The words of one received line, or an empty array when it is not {@code WORD token...}. */
    public static String[] words(String line) {
        String[] words = line.strip().split(" ");
        for (int i = 1; i < words.length; i++) {
            if (!TOKEN.matcher(words[i]).matches()) {
                return new String[0];
            }
        }
        return words;
    }

    private static String requireToken(String value) {
        if (value == null || !TOKEN.matcher(value).matches()) {
            throw new IllegalArgumentException("not a relay token (1-128 of A-Z a-z 0-9 _ -): " + value);
        }
        return value;
    }
}
