package io.kindling.common.pools;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** How launch inputs are shown in log lines and messages: quoted, secret-looking conf values hidden, capped. */
final class LogText {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+#\\[\\]*-]+");

    /** Conf keys whose values are not logged (like Spark's own spark.redaction.regex). */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(secret|password|token|access[.]?key|account[.]key|credential|sas|signature|jaas|keytab).*");

    private LogText() {
    }

    /** True if a conf key's value must not appear in a log line. */
    static boolean secretLooking(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /** An argv for a log line: each element {@link #quoted}, the values of secret-looking conf keys hidden. */
    static String redacted(List<String> argv) {
        List<String> shown = new ArrayList<>(argv.size());
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            int eq = arg.indexOf('=');
            boolean confValue = i > 0 && argv.get(i - 1).equals("--conf") && eq > 0;
            shown.add(quoted(confValue && secretLooking(arg.substring(0, eq)) ? arg.substring(0, eq + 1) + "*****" : arg));
        }
        return String.join(" ", shown);
    }

    /** One argv element for a log line: as it is when plain, else single-quoted with control characters escaped. */
    static String quoted(String arg) {
        if (PLAIN.matcher(arg).matches()) {
            return arg;
        }
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (c == '\'' || c == '\\') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }

    /** A user value made safe for one log line or message: control characters escaped, length capped. */
    static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 200; i++) {
            char c = value.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.length() < 200 ? out.toString() : out + "...";
    }
}
