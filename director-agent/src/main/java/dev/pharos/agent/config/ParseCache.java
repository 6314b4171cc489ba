package dev.pharos.agent.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/// What a parse keeps for the next parse of the same configuration (a reload): the model of each
/// `virtual_server` block, the findings its parse made and the positions it recorded, keyed by the
/// block's text. A reload of a large file in which one real server changed parses that one block;
/// the others take their previous model (keepalived 2.3's reload compares blocks by their text too).
///
/// The key is the block's text: its file and its lines as written, from the line of its keyword
/// to the line before the next top-level block (see [#key] for why that says what the reader
/// makes of them). Two blocks with the same key therefore parse to the same model, and every
/// position their parse records differs only by the line the block starts on: a block that moved (lines added above it) is reused with its findings and positions moved with
/// it, so diagnostics still say the right `file:line:col`. A block whose parse found something
/// is reused only where it was: a message may quote a line number.
///
/// Not reused, so parsed again each time:
/// - a block whose words do not all come from its lines as written (an `include` inside it, a
///   parameter, a multi-line definition, `~SEQ`): what they bring may change elsewhere;
/// - a block whose parse looked up a name defined elsewhere (a `FILE_CHECK`'s `track_file`): its
///   findings depend on other blocks;
/// - the second of two identical blocks in one file: the model objects are also keys of the
///   positions (by identity), and two blocks must not share them;
/// - every other top-level block (`global_defs`, `vrrp_instance`, …): they are few, and their
///   parse reads and defines names across blocks.
///
/// One cache serves one config id (the agent's): an `@ID` line reads differently under another.
/// Not thread-safe: one parse at a time uses it.
public final class ParseCache {

    /// A parsed block: its key, where it started, its model (null when the block was refused), and
    /// what its parse added to the findings and to the positions.
    record Block(Key key, Position at, VirtualServerDef model, List<Diagnostic> findings,
            List<Validator.Positions.Recorded> positions) {
    }

    private Map<Key, Block> previous = new HashMap<>();
    private Map<Key, Block> current = new HashMap<>();
    private Map<Path, String> texts = Map.of();
    private final Map<Path, int[]> lineStarts = new HashMap<>();
    /// The top-level block after each one in the parse under way.
    private final Map<Node, Node> next = new IdentityHashMap<>();
    private int reused;
    private int parsed;

    /// A parse of the top-level blocks `top` begins: it may take the blocks the last parse kept,
    /// and keeps its own for the next.
    void begin(List<Node> top) {
        next.clear();
        for (int i = 0; i + 1 < top.size(); i++) {
            next.put(top.get(i), top.get(i + 1));
        }
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
    Block take(Key key, Position at) {
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

    /// Keeps `block` for the next parse, under the key it was first parsed with: the key just
    /// made for a reused block (a copy of its lines) is left to the garbage collector at once.
    void keep(Block block) {
        current.put(block.key(), block);
    }

    /// A block's key: its file and the lines it is written on, from its keyword to the line
    /// before the next top-level block (or the end of its file).
    record Key(Path file, String lines) {
    }

    /// The files the parse reads, before it begins ([SourceReader.Source#texts]).
    void read(Map<Path, String> texts) {
        this.texts = texts;
        lineStarts.clear();
    }

    /// The parse is over: the files' texts and the blocks it did not take are not kept.
    void end() {
        previous = new HashMap<>();
        texts = Map.of();
        lineStarts.clear();
        next.clear();
    }

    /// The key of a top-level block of the parse under way, or null when it cannot be reused: a
    /// word of it is in another file or came from a parameter, a multi-line definition or a
    /// `~SEQ`/`~LST` line (then the lines as written do not say what the block holds), or its
    /// lines hold an `include`.
    ///
    /// The same lines give the same words at the same columns: the reader reads line by line, and
    /// the first line of a block is read afresh (a line a multi-line definition takes holds no
    /// word of a block), so only what the excluded cases bring in from elsewhere could differ.
    Key key(Node n) {
        var at = n.position();
        var text = at == null ? null : texts.get(at.file());
        if (text == null) {
            return null;
        }
        int last = lastLine(n, at.file(), at.line());
        if (last < 0) {
            return null;
        }
        // Up to the next block, not to this one's last word: a brace on a line of its own after it
        // (`real_server A` then `{` on the next line) still belongs to this block's text.
        var following = next.get(n);
        var nextAt = following == null ? null : following.position();
        if (nextAt != null && nextAt.file().equals(at.file())) {
            last = Math.max(last, nextAt.line() - 1);
        } else {
            last = Integer.MAX_VALUE;
        }
        var starts = lineStarts.computeIfAbsent(at.file(), f -> lineStarts(text));
        if (at.line() > starts.length) {
            return null;
        }
        int from = starts[at.line() - 1];
        int to = last < starts.length ? starts[last] : text.length();
        var lines = text.substring(from, to);
        return lines.contains("include") ? null : new Key(at.file(), lines);
    }

    /// The last line a word of `n` is on, or -1 when one is in another file or was not written
    /// as it stands.
    private static int lastLine(Node n, Path file, int last) {
        last = lastLine(n.keyword(), file, last);
        for (var a : n.args()) {
            last = lastLine(a, file, last);
        }
        if (n.children() != null) {
            for (var c : n.children()) {
                last = last < 0 ? last : lastLine(c, file, last);
            }
        }
        return last;
    }

    private static int lastLine(Token t, Path file, int last) {
        var p = t.position();
        if (last < 0 || t.generated() || p == null || !p.file().equals(file)) {
            return -1;
        }
        return Math.max(last, p.line());
    }

    /// Where each line of `text` starts (lines end at `\n`, as [LineReader] reads them).
    private static int[] lineStarts(String text) {
        int count = 1;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            count++;
        }
        var starts = new int[count];
        int line = 1;
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
            starts[line++] = i + 1;
        }
        return starts;
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
