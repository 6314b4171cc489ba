package dev.pharos.agent.daemon;

import dev.pharos.agent.api.Protocol;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.config.ConfigEdits;
import java.util.Locale;

/// The checks an edit's strings and numbers pass before they come near the model. An edit writes
/// the configuration file, so a value that would change the file's structure there — a newline,
/// a brace, a quote, a comment sign, a space inside what must be one word, a NUL, a string of a
/// megabyte — is refused with [Protocol.Errors#INVALID_PARAMS] naming the field, and so is a
/// number outside the range keepalived reads.
///
/// The file is parsed back after the edit in any case ([Daemon#edit]); these checks make the
/// refusal say which field was wrong, before anything is built.
final class EditFields {

    /// Longer than any id, name or address an edit takes (a virtual server group name is the longest).
    static final int MAX_LENGTH = 256;

    /// How much of a refused value a message quotes.
    private static final int QUOTED = 40;

    /// One word of the file: an id, a name, an address. `what` completes "… is not …" in the
    /// refusal (`a virtual server id`). Null passes through (the callers say what is required).
    static String word(String value, String field, String what) throws RpcException {
        if (value == null) {
            return null;
        }
        var problem = structural(value);
        if (problem != null) {
            throw invalid(field + " " + quote(value) + " is not " + what + " (" + problem + ")");
        }
        return value;
    }

    /// A scheduler name IPVS knows, lower-cased; null passes through.
    static String scheduler(String value) throws RpcException {
        if (value == null) {
            return null;
        }
        var name = value.toLowerCase(Locale.ROOT);
        if (structural(value) != null || !ConfigEdits.SCHEDULERS.contains(name)) {
            throw invalid("scheduler " + quote(value) + " is not a scheduler name (one of "
                    + String.join(", ", ConfigEdits.SCHEDULERS) + ")");
        }
        return name;
    }

    /// An optional number within `min`–`max`.
    static <N extends Number> N range(N value, String field, long min, long max) throws RpcException {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw invalid(field + " " + value + " is outside " + min + "–" + max);
        }
        return value;
    }

    /// Why `value` cannot stand as one word of keepalived.conf, or null when it can.
    static String structural(String value) {
        if (value.isEmpty()) {
            return "it is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "it is " + value.length() + " characters long; at most " + MAX_LENGTH;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\n' || c == '\r') {
                return "it holds a line break";
            }
            if (c == 0) {
                return "it holds a NUL";
            }
            if (Character.isISOControl(c)) {
                return "it holds a control character";
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "it holds white space";
            }
            if ("{}\"#!".indexOf(c) >= 0) {
                return "it holds '" + c + "', which has a meaning in keepalived.conf";
            }
            if (Character.isSurrogate(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.UNASSIGNED) {
                return "it holds the invisible or unassigned character U+"
                        + String.format(Locale.ROOT, "%04X", (int) c);
            }
        }
        return null;
    }

    /// `value` in double quotes for a message: escaped, and cut after [#QUOTED] characters.
    static String quote(String value) {
        var b = new StringBuilder("\"");
        int n = Math.min(value.length(), QUOTED);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || Character.isSurrogate(c)
                            || Character.getType(c) == Character.FORMAT) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
        if (value.length() > QUOTED) {
            b.append("… (").append(value.length()).append(" characters)");
        }
        return b.toString();
    }

    private static RpcException invalid(String message) {
        return new RpcException(Protocol.Errors.INVALID_PARAMS, message);
    }

    private EditFields() {
    }
}
