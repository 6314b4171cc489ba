package dev.pharos.agent.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/// What an include pattern names, as glibc's `glob(3)` with `GLOB_BRACE | GLOB_MARK` finds it for
/// keepalived (`open_and_check_glob` in `lib/parser.c`): `{a,b}` alternatives first, each in
/// order; then per path element `*`, `?` and `[…]` (`[!…]` negated) match names in sorted order,
/// never a leading `.` unless the pattern has one; `\` makes the next character literal.
/// keepalived counts what `glob` could not find (`gl_opendir`, `gl_lstat`) to tell a missing file
/// or directory from a wildcard that matched nothing.
final class IncludePattern {

    /// @param missing   a directory or file the pattern names literally is not there
    /// @param wildcards the pattern has a wildcard (glob listed a directory)
    /// @param braces    the pattern has `{…}` alternatives
    record Expansion(List<Path> matches, boolean missing, boolean wildcards, boolean braces) {
    }

    /// Alternatives at most, so `{a,b}{c,d}…` cannot grow without bound.
    private static final int MAX_ALTERNATIVES = 1024;

    private IncludePattern() {
    }

    static boolean hasBraces(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if (pattern.charAt(i) == '\\') {
                i++;
            } else if (pattern.charAt(i) == '{') {
                return true;
            }
        }
        return false;
    }

    static boolean hasWildcard(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return true;
            }
        }
        return false;
    }

    /// `{a,b}` alternatives of `pattern`, in order (nested ones too); an unbalanced `{` is literal.
    static List<String> alternatives(String pattern) {
        var out = new ArrayList<String>();
        expandBraces(pattern, out);
        return out;
    }

    private static void expandBraces(String p, List<String> out) {
        if (out.size() >= MAX_ALTERNATIVES) {
            return;
        }
        int open = -1;
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) == '\\') {
                i++;
            } else if (p.charAt(i) == '{') {
                open = i;
                break;
            }
        }
        if (open < 0) {
            out.add(p);
            return;
        }
        var parts = new ArrayList<String>();
        int depth = 0;
        int start = open + 1;
        int close = -1;
        for (int i = open + 1; i < p.length() && close < 0; i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) {
                    parts.add(p.substring(start, i));
                    close = i;
                } else {
                    depth--;
                }
            } else if (c == ',' && depth == 0) {
                parts.add(p.substring(start, i));
                start = i + 1;
            }
        }
        if (close < 0) {
            out.add(p);
            return;
        }
        var head = p.substring(0, open);
        var tail = p.substring(close + 1);
        for (var part : parts) {
            expandBraces(head + part + tail, out);
        }
    }

    /// Expands `pattern` (relative ones against `dir`).
    static Expansion expand(Path dir, String pattern) {
        var matches = new ArrayList<Path>();
        boolean[] missing = {false};
        boolean wildcards = false;
        for (var alternative : alternatives(pattern)) {
            wildcards |= hasWildcard(alternative);
            glob(dir, alternative, matches, missing);
        }
        return new Expansion(matches, missing[0], wildcards, hasBraces(pattern));
    }

    private static void glob(Path dir, String pattern, List<Path> out, boolean[] missing) {
        List<Path> current = List.of(pattern.startsWith("/") ? Path.of("/") : dir);
        var elements = pattern.split("/");
        for (int e = 0; e < elements.length; e++) {
            var element = elements[e];
            if (element.isEmpty()) {
                continue;
            }
            boolean last = e == elements.length - 1;
            var next = new ArrayList<Path>();
            for (var base : current) {
                if (!hasWildcard(element)) {
                    var p = base.resolve(unescape(element));
                    if (last && !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                        missing[0] = true;
                    } else {
                        next.add(p);
                    }
                    continue;
                }
                if (!Files.isDirectory(base)) {
                    missing[0] = true;
                    continue;
                }
                try (Stream<Path> list = Files.list(base)) {
                    list.map(p -> p.getFileName().toString()).filter(name -> matches(element, name)).sorted()
                            .forEach(name -> next.add(base.resolve(name)));
                } catch (IOException | RuntimeException ex) {
                    missing[0] = true;
                }
            }
            current = next;
        }
        out.addAll(current.stream().map(Path::normalize).toList());
    }

    private static String unescape(String s) {
        var out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                i++;
            }
            out.append(s.charAt(i));
        }
        return out.toString();
    }

    /// `fnmatch(3)` without flags but `FNM_PERIOD`, as `glob` matches one path element.
    static boolean matches(String pattern, String name) {
        if (name.startsWith(".") && !pattern.startsWith(".") && !pattern.startsWith("\\.")) {
            return false;
        }
        return match(pattern, 0, name, 0);
    }

    private static boolean match(String p, int pi, String s, int si) {
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi < p.length() && p.charAt(pi) == '*') {
                        pi++;
                    }
                    if (pi == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi, s, k)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    pi++;
                    si++;
                }
                case '[' -> {
                    int end = classEnd(p, pi);
                    if (end < 0) {
                        if (si >= s.length() || s.charAt(si) != '[') {
                            return false;
                        }
                        pi++;
                        si++;
                    } else {
                        if (si >= s.length() || !inClass(p, pi + 1, end, s.charAt(si))) {
                            return false;
                        }
                        pi = end + 1;
                        si++;
                    }
                }
                default -> {
                    if (c == '\\' && pi + 1 < p.length()) {
                        pi++;
                        c = p.charAt(pi);
                    }
                    if (si >= s.length() || s.charAt(si) != c) {
                        return false;
                    }
                    pi++;
                    si++;
                }
            }
        }
        return si == s.length();
    }

    /// The index of the `]` that closes the class opening at `open`, or -1.
    private static int classEnd(String p, int open) {
        int i = open + 1;
        if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            i++;
        }
        if (i < p.length() && p.charAt(i) == ']') {
            i++;
        }
        while (i < p.length() && p.charAt(i) != ']') {
            i++;
        }
        return i < p.length() ? i : -1;
    }

    private static boolean inClass(String p, int from, int end, char c) {
        boolean negated = p.charAt(from) == '!' || p.charAt(from) == '^';
        int i = negated ? from + 1 : from;
        boolean found = false;
        while (i < end) {
            char lo = p.charAt(i);
            if (i + 2 < end && p.charAt(i + 1) == '-') {
                found |= c >= lo && c <= p.charAt(i + 2);
                i += 3;
            } else {
                found |= c == lo;
                i++;
            }
        }
        return found != negated;
    }
}
