package dev.pharos.icons;

import java.util.Optional;

/// Checks an SVG path's `d` attribute against the subset the icons are drawn in: the commands
/// M, L, H, V, C, Q, A and Z, absolute or relative, each followed by whole groups of numbers
/// (SVG 1.1 §8.3, "implicit" repetition of a command included), starting with a move-to.
///
/// The smooth curves S and T are left out on purpose: they depend on the previous segment,
/// which makes an icon harder to edit by hand, and C and Q draw the same shapes. Arc flags must
/// be written as separate `0`/`1` numbers.
final class PathSyntax {
    private PathSyntax() {
    }

    /// Why `data` is outside the subset, with the 1-based character position, or empty if it is
    /// inside.
    static Optional<String> problem(String data) {
        var scanner = new Scanner(data);
        scanner.skipSeparators();
        if (scanner.atEnd()) {
            return Optional.of("path data is empty");
        }
        boolean first = true;
        while (!scanner.atEnd()) {
            int at = scanner.pos;
            char command = data.charAt(at);
            int arity = arity(command);
            if (arity < 0) {
                return Optional.of(Character.isLetter(command)
                        ? "path data at character %d: command '%c' is not supported (use M, L, H, V, C, Q, A, Z)"
                                .formatted(at + 1, command)
                        : "path data at character %d: expected a command letter, found '%c'".formatted(at + 1, command));
            }
            if (first && command != 'M' && command != 'm') {
                return Optional.of("path data at character %d: a path must start with M or m".formatted(at + 1));
            }
            first = false;
            scanner.pos++;
            scanner.skipSeparators();
            int count = 0;
            while (!scanner.atEnd() && scanner.startsNumber()) {
                int numberAt = scanner.pos;
                var number = scanner.number();
                if (number.isEmpty()) {
                    return Optional.of("path data at character %d: malformed number".formatted(numberAt + 1));
                }
                double value = number.get();
                if (!Double.isFinite(value)) {
                    return Optional.of("path data at character %d: number out of range".formatted(numberAt + 1));
                }
                int index = count % Math.max(arity, 1);
                if ((command == 'A' || command == 'a') && (index == 3 || index == 4) && value != 0 && value != 1) {
                    return Optional.of("path data at character %d: an arc flag must be 0 or 1".formatted(numberAt + 1));
                }
                count++;
                scanner.skipSeparators();
            }
            if (arity == 0 ? count != 0 : count == 0 || count % arity != 0) {
                return Optional.of(arity == 0
                        ? "path data at character %d: '%c' takes no numbers".formatted(at + 1, command)
                        : "path data at character %d: '%c' takes groups of %d numbers, found %d"
                                .formatted(at + 1, command, arity, count));
            }
        }
        return Optional.empty();
    }

    /// Numbers per segment of a command, or -1 when the command is not in the subset.
    private static int arity(char command) {
        return switch (Character.toUpperCase(command)) {
            case 'M', 'L' -> 2;
            case 'H', 'V' -> 1;
            case 'C' -> 6;
            case 'Q' -> 4;
            case 'A' -> 7;
            case 'Z' -> 0;
            default -> -1;
        };
    }

    /// A cursor over the path data; numbers follow SVG's grammar (`-.5e-3`, `1.5.5` is two).
    private static final class Scanner {
        private final String s;
        private int pos;

        Scanner(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        void skipSeparators() {
            while (!atEnd() && (Character.isWhitespace(s.charAt(pos)) || s.charAt(pos) == ',')) {
                pos++;
            }
        }

        boolean startsNumber() {
            char c = s.charAt(pos);
            return isAsciiDigit(c) || c == '.' || c == '-' || c == '+';
        }

        Optional<Double> number() {
            int start = pos;
            if (s.charAt(pos) == '-' || s.charAt(pos) == '+') {
                pos++;
            }
            int digits = digits();
            if (!atEnd() && s.charAt(pos) == '.') {
                pos++;
                digits += digits();
            }
            if (digits == 0) {
                return Optional.empty();
            }
            if (!atEnd() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (!atEnd() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
                    pos++;
                }
                if (digits() == 0) {
                    return Optional.empty();
                }
            }
            return Optional.of(Double.parseDouble(s.substring(start, pos)));
        }

        // Character.isDigit would let Arabic-Indic digits through, which Double.parseDouble refuses.
        private static boolean isAsciiDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private int digits() {
            int start = pos;
            while (!atEnd() && isAsciiDigit(s.charAt(pos))) {
                pos++;
            }
            return pos - start;
        }
    }
}
