package dev.pharos.agent.config.syntax;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.Located;
import dev.pharos.agent.config.Position;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.config.syntax.SyntaxNode.Block;
import dev.pharos.agent.config.syntax.SyntaxNode.Trivia;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/// A configuration file that reads line by line on its own (no include, no parameter or sequence
/// definition: see [SyntaxParser.Parsed#selfContained]) cut into its top-level elements, kept as
/// text between edits. Each `virtual_server` block keeps the server it loads to, where that
/// server's objects stand in its text (lines counted from the block's first line) and its
/// canonical text.
///
/// An edit opens the syntax tree of only the blocks it changes ([#open]) and reads only those
/// again ([ConfigLoader#locateVirtualServer]); every other block is the same text where it was,
/// so it loads to the same objects: at keepalived 2.3's scale (2,277 virtual servers in 125,000
/// lines) an edit of one real server reads one block of a few dozen lines instead of the file.
final class FileBlocks {

    /// One top-level element: its text from the start of its first line (the comments above it
    /// included); for a `virtual_server` block, the server it loads to, the position of each of
    /// the server's objects in `text` and the server's canonical text.
    record Piece(String text, VirtualServerDef server, Map<Object, Position> positions, String canonical) {
    }

    private final Path file;
    private final String configId;
    private final List<Piece> pieces;
    /// The piece of each virtual server, by identity.
    private final Map<VirtualServerDef, Integer> index = new IdentityHashMap<>();
    private final List<VirtualServerDef> servers = new ArrayList<>();
    /// What the canonical text holds before the virtual servers ([ConfigWriter#writeHead]).
    private final String head;
    /// The file's indentation unit as the whole tree shows it ([TreeEdits#unit]), for a block
    /// that shows none itself.
    private final String unit;

    private FileBlocks(Path file, String configId, List<Piece> pieces, String head, String unit) {
        this.file = file;
        this.configId = configId;
        this.pieces = pieces;
        this.head = head;
        this.unit = unit;
        for (int i = 0; i < pieces.size(); i++) {
            var server = pieces.get(i).server();
            if (server != null) {
                index.put(server, i);
                servers.add(server);
            }
        }
    }

    /// The blocks of `tree`, a whole file that loads to `located` alone (no other file), or null
    /// when an edit of it must read the whole file again: it is not self-contained, not UTF-8 (an
    /// edit that removes a block could make it UTF-8, and every line would read differently), or
    /// a `virtual_server` block does not start its line or stands on an `@ID` line.
    static FileBlocks of(SyntaxTree tree, Located located, String configId) {
        var children = tree.root().children();
        if (!tree.selfContained() || !tree.utf8() || children.isEmpty()) {
            return null;
        }
        var texts = new ArrayList<String>(children.size());
        var starts = new int[children.size()];
        var keywordLines = new HashMap<Integer, Integer>();
        var out = new StringBuilder();
        int line = 1;
        boolean lineStart = true;
        for (int i = 0; i < children.size(); i++) {
            var child = children.get(i);
            out.setLength(0);
            child.print(out);
            if (i == children.size() - 1) {
                out.append(tree.end());
            }
            var text = out.toString();
            if (child instanceof Block b && b.name().equals("virtual_server")) {
                if (!lineStart || b.header().conditional()) {
                    return null;
                }
                keywordLines.put(line + newlines(b.header().keyword().leading()), i);
            }
            starts[i] = line;
            line += newlines(text);
            lineStart = text.endsWith("\n");
            texts.add(text);
        }
        var config = located.config();
        var serverAt = new HashMap<Integer, VirtualServerDef>();
        for (var vs : config.virtualServers()) {
            var p = located.positionOf(vs).orElse(null);
            var at = p == null || !p.file().equals(tree.file()) ? null : keywordLines.get(p.line());
            if (at == null || serverAt.putIfAbsent(at, vs) != null) {
                return null;
            }
        }
        if (serverAt.size() != keywordLines.size()) {
            return null;
        }
        var positions = new HashMap<Integer, Map<Object, Position>>();
        for (var e : located.positions().entrySet()) {
            var p = e.getValue();
            if (p == null) {
                continue;
            }
            if (!p.file().equals(tree.file())) {
                return null;
            }
            int at = pieceAt(starts, p.line());
            if (serverAt.containsKey(at)) {
                positions.computeIfAbsent(at, k -> new IdentityHashMap<>())
                        .put(e.getKey(), new Position(p.file(), p.line() - starts[at] + 1, p.column()));
            }
        }
        var pieces = new ArrayList<Piece>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            var vs = serverAt.get(i);
            pieces.add(vs == null ? new Piece(texts.get(i), null, Map.of(), null)
                    : new Piece(texts.get(i), vs, positions.getOrDefault(i, Map.of()), ConfigWriter.writeVirtualServer(vs)));
        }
        return new FileBlocks(tree.file(), configId, pieces, ConfigWriter.writeHead(config),
                TreeEdits.unit(null, tree.root()));
    }

    /// The index of the last element that starts at or before `line`.
    private static int pieceAt(int[] starts, int line) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= line) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static int newlines(String s) {
        int n = 0;
        for (int i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) {
            n++;
        }
        return n;
    }

    Path file() {
        return file;
    }

    String unit() {
        return unit;
    }

    /// The configuration with these blocks' virtual servers (its other parts as `base` has them).
    KeepalivedConfig config(KeepalivedConfig base) {
        return new KeepalivedConfig(base.globalDefs(), base.vrrpScripts(), base.syncGroups(), base.vrrpInstances(),
                base.virtualServerGroups(), servers, base.extras());
    }

    /// The piece `vs` was read from, or -1.
    int pieceOf(VirtualServerDef vs) {
        var at = index.get(vs);
        return at == null ? -1 : at;
    }

    Piece piece(int at) {
        return pieces.get(at);
    }

    /// A syntax tree of the piece alone (the lines of a self-contained file read the same alone).
    SyntaxTree open(int at) {
        return SyntaxTree.parse(file, pieces.get(at).text(), true, configId);
    }

    /// The canonical text of the configuration ([ConfigWriter#write]), from the pieces'.
    String canonical() {
        int length = head.length();
        for (var p : pieces) {
            length += p.server() == null ? 0 : 1 + p.canonical().length();
        }
        var out = new StringBuilder(length);
        out.append(head);
        for (var p : pieces) {
            if (p.server() != null) {
                out.append('\n').append(p.canonical());
            }
        }
        return out.toString();
    }

    /// true when `other` holds the same pieces (an edit that changed no byte).
    boolean samePieces(FileBlocks other) {
        if (pieces.size() != other.pieces.size()) {
            return false;
        }
        for (int i = 0; i < pieces.size(); i++) {
            if (pieces.get(i) != other.pieces.get(i)) {
                return false;
            }
        }
        return true;
    }

    /// The file's bytes.
    byte[] bytes() {
        var out = new StringBuilder(pieces.stream().mapToInt(p -> p.text().length()).sum());
        pieces.forEach(p -> out.append(p.text()));
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /// The blocks after an edit changed the trees `opened` (by piece) in place, each top-level
    /// element of them a piece of its own, read again; empty when the result cannot be read by
    /// pieces (an element other than a `virtual_server` block or trivia changed, a block no longer
    /// starts its line, a block does not read on its own): the caller then reads the whole file.
    Optional<FileBlocks> splice(Map<Integer, SyntaxTree> opened) {
        var out = new ArrayList<Piece>(pieces.size() + 1);
        for (int i = 0; i < pieces.size(); i++) {
            var old = pieces.get(i);
            var tree = opened.get(i);
            if (tree == null) {
                if (old.server() != null && !out.isEmpty() && !out.getLast().text().endsWith("\n")) {
                    return Optional.empty();
                }
                out.add(old);
                continue;
            }
            var children = tree.root().children();
            var texts = texts(tree);
            if (texts.size() == 1 && texts.getFirst().equals(old.text())) {
                out.add(old);
                continue;
            }
            for (int k = 0; k < texts.size(); k++) {
                var node = k < children.size() ? children.get(k) : null;
                if (node instanceof Block b && b.name().equals("virtual_server")) {
                    var read = out.isEmpty() || out.getLast().text().endsWith("\n") ? read(texts.get(k)) : null;
                    if (read == null) {
                        return Optional.empty();
                    }
                    out.add(read);
                } else if (node == null || node instanceof Trivia) {
                    out.add(new Piece(texts.get(k), null, Map.of(), null));
                } else {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(new FileBlocks(file, configId, out, head, unit));
    }

    /// Each top-level element's text, the trivia after the last token with the last (alone when
    /// there is no element).
    private static List<String> texts(SyntaxTree tree) {
        var out = new ArrayList<String>();
        var sb = new StringBuilder();
        for (var c : tree.root().children()) {
            sb.setLength(0);
            c.print(sb);
            out.add(sb.toString());
        }
        if (!tree.end().isEmpty()) {
            if (out.isEmpty()) {
                out.add(tree.end());
            } else {
                out.set(out.size() - 1, out.getLast() + tree.end());
            }
        }
        return out;
    }

    /// A `virtual_server` block's text read on its own, or null when it does not read to one
    /// virtual server without error, or uses a parameter (`${_RANDOM}` and the like read
    /// differently each time).
    private Piece read(String text) {
        var decoded = new String(text.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        if (decoded.indexOf('$') >= 0) {
            return null;
        }
        try {
            var located = ConfigLoader.locateVirtualServer(file, decoded, configId);
            var vs = located.config().virtualServers().getFirst();
            return new Piece(text, vs, located.positions(), ConfigWriter.writeVirtualServer(vs));
        } catch (ConfigException e) {
            return null;
        }
    }
}
