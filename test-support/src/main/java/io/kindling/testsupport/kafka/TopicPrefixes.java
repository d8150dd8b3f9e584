package io.kindling.testsupport.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Method;
import java.util.concurrent.ThreadLocalRandom;

/** Builds topic-name prefixes that are unique per test: {@code t-<class>-<method>-<random4>.} */
final class TopicPrefixes {

    private static final int MAX_PART = 60;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private TopicPrefixes() {
    }

    static String forContext(ExtensionContext context) {
        String className = context.getTestClass().map(Class::getSimpleName).orElse(context.getDisplayName());
        String method = context.getTestMethod().map(Method::getName).orElse(null);
        return method == null ? forName(className) : forName(className + "-" + method);
    }

    /** {@code t-<name>-<random4>.} with {@code name} reduced to the characters Kafka allows in topic names. */
    static String forName(String testName) {
        StringBuilder prefix = new StringBuilder("t-");
        for (String part : testName.split("-")) {
            String clean = sanitize(part);
            if (!clean.isEmpty()) {
                prefix.append(clean, 0, Math.min(clean.length(), MAX_PART)).append('-');
            }
        }
        return prefix.append(random4()).append('.').toString();
    }

    private static String sanitize(String part) {
        return part.replaceAll("[^A-Za-z0-9_]", "_").replaceAll("_+", "_");
    }

    private static String random4() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[4];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return new String(chars);
    }
}
