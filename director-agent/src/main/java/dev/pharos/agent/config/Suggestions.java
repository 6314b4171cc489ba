package dev.pharos.agent.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/// "Did you mean …?" for a misspelt keyword or method name: the closest candidate by edit
/// distance, if it is close enough to be a plausible typo.
public final class Suggestions {

    /// The candidate nearest to `word` (case-insensitive), when at most `max(2, length / 4)` edits away.
    public static Optional<String> closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        var w = word.toLowerCase(Locale.ROOT);
        for (var k : candidates) {
            int d = distance(w, k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, word.length() / 4) ? Optional.of(best) : Optional.empty();
    }

    /// Levenshtein distance; "far" (MAX_VALUE) for long or very different lengths, which are
    /// never typos of each other and would only cost time.
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 8 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        var prev = new int[b.length() + 1];
        var cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            var t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private Suggestions() {
    }
}
