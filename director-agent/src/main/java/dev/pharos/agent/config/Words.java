package dev.pharos.agent.config;

/// One `String` for each distinct word of a configuration. A large file repeats a few hundred
/// words (keywords, `{`, small numbers, the same addresses) hundreds of thousands of times, and
/// its tokens stay in memory until it is parsed: sharing the words keeps that memory to the
/// tokens themselves, and a word already seen is found without copying it out of its line.
final class Words {

    private String[] table = new String[1024];
    private int size;

    /// The word `text[from, to)`.
    String of(String text, int from, int to) {
        int length = to - from;
        // String#hashCode's formula, so that a stored word is placed again by its own hash
        int hash = 0;
        for (int i = from; i < to; i++) {
            hash = 31 * hash + text.charAt(i);
        }
        int mask = table.length - 1;
        int slot = spread(hash) & mask;
        while (true) {
            var word = table[slot];
            if (word == null) {
                word = text.substring(from, to);
                table[slot] = word;
                if (++size * 2 > table.length) {
                    grow();
                }
                return word;
            }
            if (word.length() == length && text.regionMatches(from, word, 0, length)) {
                return word;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The word `text`.
    String of(String text) {
        return of(text, 0, text.length());
    }

    /// The high bits of the hash mixed into the low ones the table uses.
    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }

    private void grow() {
        var old = table;
        table = new String[old.length * 2];
        int mask = table.length - 1;
        for (var word : old) {
            if (word != null) {
                int slot = spread(word.hashCode()) & mask;
                while (table[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = word;
            }
        }
    }
}
