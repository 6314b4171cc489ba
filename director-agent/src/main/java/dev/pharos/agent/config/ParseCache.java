package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/// What a parse keeps for the next parse of the same configuration (a reload): the model of each
/// `virtual_server` block, the findings its parse made and the positions it recorded, keyed by the
/// block's text. A reload of a large file in which one real server changed parses that one block;
/// the others take their previous model (keepalived 2.3's reload compares blocks by their text too).
///
/// The key is the block after the reader has expanded it (parameters, `~SEQ`, `@ID` lines and
/// includes resolved, see [SourceReader]): every word with its kind, quoting, column and line
/// relative to the block's first line. Two blocks with the same key therefore parse to the same
/// model, and every position their parse records differs only by the line the block starts on:
/// a block that moved (lines added above it) is reused with its findings and positions moved with
/// it, so diagnostics still say the right `file:line:col`. A block whose parse found something
/// is reused only where it was: a message may quote a line number.
///
/// Not reused, so parsed again each time:
/// - a block whose words do not all come from the file it starts in (an `include` inside the block,
///   a parameter defined in another file): its positions in the other file do not move with it;
/// - a block whose parse looked up a name defined elsewhere (a `FILE_CHECK`'s `track_file`): its
///   findings depend on other blocks;
/// - the second of two identical blocks in one file: the model objects are also keys of the
///   positions (by identity), and two blocks must not share them;
/// - every other top-level block (`global_defs`, `vrrp_instance`, …): they are few, and their
///   parse reads and defines names across blocks.
///
/// Not thread-safe: one parse at a time uses it.
public final class ParseCache {

    /// A parsed block: where it started, its model (null when the block was refused), and what
    /// its parse added to the findings and to the positions.
    record Block(Position at, VirtualServerDef model, List<Diagnostic> findings,
            List<Validator.Positions.Recorded> positions) {
    }

    private Map<String, Block> previous = new HashMap<>();
    private Map<String, Block> current = new HashMap<>();
    private int reused;
    private int parsed;

    /// A parse begins: it may take the blocks the last parse kept, and keeps its own for the next.
    void begin() {
        previous = current;
        current = new HashMap<>();
        reused = 0;
        parsed = 0;
    }

    /// How many `virtual_server` blocks the last parse reused, and how many it parsed.
    public int reused() {
        return reused;
    }

    public int parsed() {
        return parsed;
    }

    /// The block the previous parse kept under `key` for the same block now at `at`, taken (a
    /// second identical block is parsed).
    Block take(String key, Position at) {
        var hit = previous.remove(key);
        if (hit != null && !hit.findings().isEmpty() && !hit.at().equals(at)) {
            // A finding's message may name a line ("first at line 12"), which moving its position
            // does not change: a block with findings is reused only where it was. Such blocks are few.
            hit = null;
        }
        if (hit != null) {
            reused++;
        } else {
            parsed++;
        }
        return hit;
    }

    void keep(String key, Block block) {
        current.put(key, block);
    }

    /// The key of a top-level block, or null when it cannot be reused (its words come from more
    /// than one file).
    static String key(Node n) {
        var at = n.position();
        if (at == null) {
            return null;
        }
        var out = new StringBuilder(256).append(at.file()).append('\n');
        return append(out, n, at) ? out.toString() : null;
    }

    private static boolean append(StringBuilder out, Node n, Position start) {
        if (!append(out, n.keyword(), start)) {
            return false;
        }
        for (var a : n.args()) {
            if (!append(out, a, start)) {
                return false;
            }
        }
        if (n.children() == null) {
            out.append(';');
            return true;
        }
        out.append('{');
        for (var c : n.children()) {
            if (!append(out, c, start)) {
                return false;
            }
        }
        out.append('}');
        return true;
    }

    /// One word, length-prefixed so that no text can be mistaken for the separators.
    private static boolean append(StringBuilder out, Token t, Position start) {
        var p = t.position();
        if (p == null || !p.file().equals(start.file())) {
            return false;
        }
        out.append(t.kind().ordinal()).append(t.quoted() ? 'q' : 'w').append(t.generated() ? 'g' : 'l')
                .append(p.line() - start.line()).append(',').append(p.column()).append(',')
                .append(t.text().length()).append(':').append(t.text());
        return true;
    }

    /// `p` in a block that started at `from` and now starts at `to`.
    static Position moved(Position p, Position from, Position to) {
        if (p == null || from.equals(to)) {
            return p;
        }
        return new Position(to.file(), p.line() - from.line() + to.line(), p.column());
    }

    static List<Diagnostic> moved(List<Diagnostic> findings, Position from, Position to) {
        var out = new ArrayList<Diagnostic>(findings.size());
        for (var d : findings) {
            out.add(new Diagnostic(moved(d.position(), from, to), d.severity(), d.message()));
        }
        return out;
    }

    /// Whether every position is in `file`: a finding elsewhere would not move with the block.
    static boolean allIn(Path file, List<Diagnostic> findings, List<Validator.Positions.Recorded> positions) {
        for (var d : findings) {
            if (d.position() == null || !d.position().file().equals(file)) {
                return false;
            }
        }
        for (var r : positions) {
            if (r.at() == null || !r.at().file().equals(file)) {
                return false;
            }
        }
        return true;
    }
}
