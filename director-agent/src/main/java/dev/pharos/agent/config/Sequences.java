package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/// keepalived's `~SEQ` and `~LST` lines (`lib/parser.c` of keepalived 2.2.7: `add_seq`, `add_lst`,
/// and `read_line`, which repeats them): the rest of the line is read once per value, with the
/// variable set to that value as a parameter (it stays defined afterwards).
///
/// - `~SEQ(VAR, END)`, `~SEQ(VAR, START, END)`, `~SEQ(VAR, START, STEP, END)`: the numbers are C
///   integers (`0x10`, `010` octal); START defaults to 1 (-1 when END is negative), STEP to 1 or
///   -1 towards END; a STEP of 0 or away from END is an error. `~SEQx` writes the values in
///   lower-case hexadecimal (for IPv6 addresses) and needs non-negative numbers. The numbers may
///   use parameters.
/// - `~LST(VAR, V1, V2…)` or `~LST({VAR1, VAR2}, {V1, V2}, {V3, V4}…)`: the values as written
///   (no quotes, no blanks); a set with fewer values leaves the rest of the variables empty.
final class Sequences {

    /// `~SEQ(…)`'s numbers, with the closing parenthesis, fit keepalived's 64-byte buffer.
    private static final int MAX_SEQ_PARAMS = 63;

    private Sequences() {
    }

    /// Repeats a line: each [#next] sets the variables and returns the line's text again.
    static final class Repeat {
        private final List<String> vars;
        private final List<List<String>> sets;
        private final SourceLine text;
        private final Parameters parameters;
        private long next;
        private final long step;
        private final long last;
        private final boolean hex;
        private int set;
        private boolean done;

        private Repeat(List<String> vars, List<List<String>> sets, long start, long step, long last, boolean hex,
                SourceLine text, Parameters parameters) {
            this.vars = vars;
            this.sets = sets;
            this.next = start;
            this.step = step;
            this.last = last;
            this.hex = hex;
            this.text = text.asGenerated();
            this.parameters = parameters;
        }

        /// The next repetition, or null after the last.
        SourceLine next() {
            if (done) {
                return null;
            }
            if (sets == null) {
                parameters.set(vars.getFirst(), hex ? Long.toHexString(next) : Long.toString(next));
                long following = next + step;
                // overflow ends the sequence too
                done = (step > 0 && (following > last || following < next)) || (step < 0 && (following < last || following > next));
                next = following;
            } else {
                var values = sets.get(set++);
                for (int i = 0; i < vars.size(); i++) {
                    parameters.set(vars.get(i), i < values.size() ? values.get(i) : "");
                }
                done = set == sets.size();
            }
            return text;
        }
    }

    /// The repetition a line starting `~SEQ` or `~LST` asks for.
    ///
    /// @param pwd for parameters in `~SEQ`'s numbers
    static Repeat parse(SourceLine line, Parameters parameters, Path pwd, int[] count) throws Parameters.LineError {
        return line.text().startsWith("~SEQ") ? seq(line, parameters, pwd, count) : lst(line, parameters);
    }

    private static Repeat seq(SourceLine line, Parameters parameters, Path pwd, int[] count)
            throws Parameters.LineError {
        var s = line.text();
        int p = 4;
        boolean hex = ch(s, p) == 'x';
        if (hex) {
            p++;
        }
        p = blanks(s, p);
        if (ch(s, p) != '(') {
            throw invalid("~SEQ", "'(' must follow ~SEQ");
        }
        p = blanks(s, p + 1);
        int var = p;
        while (p < s.length() && " \t,)".indexOf(s.charAt(p)) < 0) {
            p++;
        }
        var name = s.substring(var, p);
        p = blanks(s, p);
        if (name.isEmpty() || ch(s, p) != ',') {
            throw invalid("~SEQ", "~SEQ(VAR, [START, [STEP,]] END) needs a variable and a ','");
        }
        p = blanks(s, p + 1);
        int close = s.indexOf(')', p);
        if (close < 0) {
            throw invalid("~SEQ", "the ')' that closes ~SEQ( is missing");
        }
        if (close + 1 - p > MAX_SEQ_PARAMS) {
            throw invalid("~SEQ", "~SEQ's numbers are longer than the " + MAX_SEQ_PARAMS + " characters keepalived takes");
        }
        var numbersLine = line.range(p, close + 1);
        var continuation = new ArrayList<Parameters.Continuation>();
        var substituted = parameters.substitute(numbersLine, pwd, continuation, count);
        if (!continuation.isEmpty()) {
            throw invalid("~SEQ", "~SEQ's numbers use the multi-line definition $" + continuation.getFirst().name());
        }
        var numbers = (substituted == null ? numbersLine : substituted).text();
        var values = new ArrayList<Long>();
        int q = 0;
        while (true) {
            var n = strtol(numbers, q);
            values.add(n.value());
            q = blanks(numbers, n.end());
            if (ch(numbers, q) == ')') {
                break;
            }
            if (ch(numbers, q) != ',' || values.size() == 3) {
                throw invalid("~SEQ", "~SEQ takes one to three numbers separated by ',': " + numbers);
            }
            q++;
        }
        long start;
        long step;
        long end;
        switch (values.size()) {
            case 1 -> {
                end = values.getFirst();
                step = end < 1 ? -1 : 1;
                start = end < 0 ? -1 : 1;
            }
            case 2 -> {
                start = values.get(0);
                end = values.get(1);
                step = start <= end ? 1 : -1;
            }
            default -> {
                start = values.get(0);
                step = values.get(1);
                end = values.get(2);
                if (step == 0 || (start < end && step < 0) || (start > end && step > 0)) {
                    throw invalid("~SEQ", "~SEQ's step " + step + " does not lead from " + start + " to " + end);
                }
            }
        }
        if (hex && (start < 0 || end < 0)) {
            throw invalid("~SEQ", "~SEQx takes only non-negative numbers");
        }
        return new Repeat(List.of(name), null, start, step, end, hex, rest(line, close + 1), parameters);
    }

    private static Repeat lst(SourceLine line, Parameters parameters) throws Parameters.LineError {
        var s = line.text();
        int p = blanks(s, 4);
        if (ch(s, p) != '(') {
            throw invalid("~LST", "'(' must follow ~LST");
        }
        p = blanks(s, p + 1);
        char endChar = ',';
        if (ch(s, p) == '{') {
            endChar = '}';
            p = blanks(s, p + 1);
        }
        var vars = new ArrayList<String>();
        while (true) {
            int var = p;
            while (p < s.length() && " \t,}".indexOf(s.charAt(p)) < 0) {
                p++;
            }
            vars.add(s.substring(var, p));
            p = blanks(s, p);
            if (ch(s, p) == endChar) {
                break;
            }
            if (ch(s, p) != ',') {
                throw invalid("~LST", "~LST(VAR, V1, V2…) or ~LST({VAR1, VAR2}, {V1, V2}…): a ',' is missing");
            }
            p = blanks(s, p + 1);
        }
        if (ch(s, p) == '}') {
            p = blanks(s, p + 1);
        }
        if (ch(s, p) != ',') {
            throw invalid("~LST", "~LST needs values after its variables");
        }
        p = blanks(s, p + 1);
        var sets = new ArrayList<List<String>>();
        while (true) {
            char setEnd = ',';
            if (ch(s, p) == '{') {
                setEnd = '}';
                p = blanks(s, p + 1);
            }
            var values = new ArrayList<String>();
            while (true) {
                int v = p;
                while (p < s.length() && " \t,})".indexOf(s.charAt(p)) < 0) {
                    p++;
                }
                values.add(s.substring(v, p));
                p = blanks(s, p);
                if (ch(s, p) == setEnd || (ch(s, p) == ')' && setEnd == ',')) {
                    break;
                }
                if (ch(s, p) != ',') {
                    throw invalid("~LST", "a ',' or ')' is missing in ~LST's values");
                }
                p = blanks(s, p + 1);
                if (values.size() >= vars.size()) {
                    throw invalid("~LST", "a set of ~LST values has more values than there are variables ("
                            + vars.size() + ")");
                }
            }
            sets.add(List.copyOf(values));
            if (ch(s, p) == '}' && setEnd == '}') {
                p = blanks(s, p + 1);
            }
            if (ch(s, p) == ')') {
                break;
            }
            if (ch(s, p) != ',') {
                throw invalid("~LST", "a ',' or ')' is missing in ~LST's values");
            }
            p = blanks(s, p + 1);
        }
        return new Repeat(List.copyOf(vars), sets, 0, 0, 0, false, rest(line, p + 1), parameters);
    }

    private static SourceLine rest(SourceLine line, int after) {
        return line.from(Math.min(blanks(line.text(), after), line.text().length()));
    }

    private static Parameters.LineError invalid(String what, String why) {
        return new Parameters.LineError(0, "invalid " + what + ": " + why);
    }

    private static char ch(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static int blanks(String s, int p) {
        while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
            p++;
        }
        return p;
    }

    record Parsed(long value, int end) {
    }

    /// C's `strtol(s, &end, 0)`: blanks, a sign, then `0x` hexadecimal, `0` octal or decimal;
    /// no digits give 0 and no progress; an overflow gives the extreme value.
    static Parsed strtol(String s, int from) {
        int p = from;
        while (p < s.length() && " \t\n\r\f\u000b".indexOf(s.charAt(p)) >= 0) {
            p++;
        }
        boolean negative = false;
        if (ch(s, p) == '+' || ch(s, p) == '-') {
            negative = ch(s, p) == '-';
            p++;
        }
        int radix = 10;
        if (ch(s, p) == '0' && (ch(s, p + 1) == 'x' || ch(s, p + 1) == 'X') && Character.digit(ch(s, p + 2), 16) >= 0) {
            radix = 16;
            p += 2;
        } else if (ch(s, p) == '0') {
            radix = 8;
        }
        int digits = p;
        long value = 0;
        boolean overflow = false;
        while (p < s.length() && Character.digit(s.charAt(p), radix) >= 0 && s.charAt(p) < 0x80) {
            int d = Character.digit(s.charAt(p), radix);
            if (value > (Long.MAX_VALUE - d) / radix) {
                overflow = true;
            } else {
                value = value * radix + d;
            }
            p++;
        }
        if (p == digits) {
            return new Parsed(0, from);
        }
        if (overflow) {
            return new Parsed(negative ? Long.MIN_VALUE : Long.MAX_VALUE, p);
        }
        return new Parsed(negative ? -value : value, p);
    }
}
