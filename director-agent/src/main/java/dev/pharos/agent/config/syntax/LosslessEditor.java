package dev.pharos.agent.config.syntax;

import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigEdits.Step;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.Located;
import dev.pharos.agent.config.Position;
import dev.pharos.agent.config.RealServerDef;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.config.syntax.LosslessEditException.Reason;
import dev.pharos.agent.config.syntax.SyntaxNode.Block;
import dev.pharos.agent.config.syntax.SyntaxNode.Statement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/// Writes an edit ([ConfigEdits.Edit]) into the files as the operator wrote them: each [Step]
/// finds its block where the file defines it (an included file's own tree for what that file
/// defines) and changes only the tokens it must; every other byte stays.
///
/// It is all or nothing: the files must hold the configuration the agent runs, and what the edited
/// files load to must be exactly the edited configuration, else nothing is returned. A value
/// written with a `$NAME` parameter is never rewritten (the definition may serve other lines), nor
/// a line that counts for one config id only (`@ID`); such an edit is refused, saying where.
public final class LosslessEditor {

    private final Path main;
    /// The configuration before the edit.
    private final KeepalivedConfig config;
    /// Editing whole files: their trees, and where each block of [#config] is written.
    private final Map<Path, SyntaxTree> trees = new LinkedHashMap<>();
    private final Located located;
    /// Editing a file kept by blocks: the blocks, and the trees of those the edit opened, by piece.
    private final FileBlocks blocks;
    private final Map<Integer, SyntaxTree> opened = new HashMap<>();

    private LosslessEditor(Path main, Map<Path, byte[]> files, String configId, Located located) {
        this.main = main;
        this.config = located.config();
        this.located = located;
        this.blocks = null;
        files.forEach((p, b) -> trees.put(p, SyntaxTree.parse(p, b, configId)));
    }

    private LosslessEditor(FileBlocks blocks, KeepalivedConfig config) {
        this.main = blocks.file();
        this.config = config;
        this.located = null;
        this.blocks = blocks;
    }

    /// The edited files and the configuration they load to.
    ///
    /// @param changed the bytes of each file the edit changed (the others stay as they are)
    /// @param next    the configuration the edited files load to, and what the next edit of the
    ///                same files starts from (see [#write(EditBase, ConfigEdits.Edit)])
    public record Written(Map<Path, byte[]> changed, EditBase next) {

        public KeepalivedConfig config() {
            return next.config();
        }

        /// The configuration as [ConfigWriter] writes it (its revision's text).
        public String canonical() {
            return next.canonical();
        }
    }

    /// Writes `edit`, made on `running`, into `files` (the bytes of `main` and of each file it
    /// includes, keyed by path as the reader resolves them).
    ///
    /// @throws ConfigException when the edited files do not load (their diagnostics)
    public static Written write(Path main, Map<Path, byte[]> files, String configId, KeepalivedConfig running,
            ConfigEdits.Edit edit) throws LosslessEditException, ConfigException {
        var normalized = normalized(files);
        var mainFile = main.toAbsolutePath().normalize();
        Located located;
        try {
            located = ConfigLoader.locate(mainFile, texts(normalized), configId);
        } catch (ConfigException e) {
            throw new LosslessEditException(Reason.CHANGED_ON_DISK, mainFile + " no longer loads: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!ConfigWriter.write(located.config()).equals(ConfigWriter.write(running))) {
            throw new LosslessEditException(Reason.CHANGED_ON_DISK, mainFile
                    + " no longer holds the configuration the agent runs");
        }
        return write(mainFile, normalized, configId, located, edit);
    }

    /// Writes `edit`, made on `running.config()`, into `files`, which the caller knows to be the
    /// bytes `running` was loaded from (a previous edit's [EditBase#located()] of the same bytes): the
    /// files are not loaded again before the edit, only after it. On a large file that halves
    /// the work of an edit.
    public static Written write(Path main, Map<Path, byte[]> files, String configId, Located running,
            ConfigEdits.Edit edit) throws LosslessEditException, ConfigException {
        var normalized = normalized(files);
        var mainFile = main.toAbsolutePath().normalize();
        var editor = new LosslessEditor(mainFile, normalized, configId, running);
        for (var step : edit.steps()) {
            editor.apply(step);
        }
        var changed = new LinkedHashMap<Path, byte[]>();
        var after = new LinkedHashMap<>(normalized);
        editor.trees.forEach((p, tree) -> {
            var bytes = tree.bytes();
            if (!Arrays.equals(bytes, normalized.get(p))) {
                changed.put(p, bytes);
                after.put(p, bytes);
            }
        });
        var loaded = ConfigLoader.locate(mainFile, texts(after), configId);
        var alone = editor.trees.keySet().equals(Set.of(mainFile)) ? editor.trees.get(mainFile) : null;
        var next = EditBase.of(alone, loaded, configId);
        if (!next.canonical().equals(ConfigWriter.write(edit.config()))) {
            throw loadsToAnother(changed.keySet());
        }
        return new Written(changed, next);
    }

    /// Writes `edit`, made on `base.config()`, into the file `base` keeps by blocks: only the
    /// blocks the edit changes are opened as trees and read back, the rest of the file is kept
    /// as it was read (its text, and the objects it loaded to). Empty when the edit cannot be made
    /// so — the files are not kept by blocks (they include others, define parameters, are not
    /// UTF-8), the edit changes something outside the virtual servers, or its blocks do not read
    /// back on their own: the caller then writes it with the files read whole. `base` does not
    /// change (the returned [Written#next] is what follows the edit).
    public static Optional<Written> write(EditBase base, ConfigEdits.Edit edit) throws LosslessEditException {
        var blocks = base.blocks();
        var before = base.config();
        var after = edit.config();
        // A first virtual server goes at the end of the file, which is no block of its own.
        if (blocks == null || !before.differsOnlyInVirtualServers(after)
                || before.virtualServers().isEmpty() && !after.virtualServers().isEmpty()) {
            return Optional.empty();
        }
        var editor = new LosslessEditor(blocks, before);
        for (var step : edit.steps()) {
            editor.apply(step);
        }
        var spliced = blocks.splice(editor.opened).orElse(null);
        if (spliced == null) {
            return Optional.empty();
        }
        var config = spliced.config(before);
        var got = config.virtualServers();
        var wanted = after.virtualServers();
        if (got.size() != wanted.size()) {
            throw loadsToAnother(Set.of(blocks.file()));
        }
        for (int i = 0; i < got.size(); i++) {
            var a = got.get(i);
            if (a != wanted.get(i) && !spliced.piece(spliced.pieceOf(a)).canonical()
                    .equals(ConfigWriter.writeVirtualServer(wanted.get(i)))) {
                throw loadsToAnother(Set.of(blocks.file()));
            }
        }
        Map<Path, byte[]> changed = spliced.samePieces(blocks) ? Map.of() : Map.of(blocks.file(), spliced.bytes());
        return Optional.of(new Written(changed, EditBase.of(config, spliced)));
    }

    private static LosslessEditException loadsToAnother(Set<Path> files) {
        return new LosslessEditException(Reason.NOT_WRITABLE, "the edit cannot be written into "
                + String.join(", ", files.stream().map(Path::toString).toList())
                + " as the file is written: the edited file would load to another configuration; nothing "
                + "was written (edit the file by hand, or replace it with config.apply)");
    }

    private static Map<Path, byte[]> normalized(Map<Path, byte[]> files) {
        var out = new LinkedHashMap<Path, byte[]>();
        files.forEach((p, b) -> out.put(p.toAbsolutePath().normalize(), b));
        return out;
    }

    private static Map<Path, String> texts(Map<Path, byte[]> files) {
        var out = new LinkedHashMap<Path, String>();
        files.forEach((p, b) -> out.put(p, SyntaxTree.decode(b)));
        return out;
    }

    private void apply(Step step) throws LosslessEditException {
        switch (step) {
            case Step.AddRealServer a -> insertRealServer(a.vsId(), ConfigWriter.writeRealServer(a.rs()));
            case Step.RemoveRealServer r -> {
                var rs = realServer(r.vsId(), r.rsId());
                TreeEdits.remove(rs.parent(), rs.node());
            }
            case Step.UpdateRealServer u -> updateRealServer(u);
            case Step.MoveRealServer m -> moveRealServer(m);
            case Step.AddVirtualServer a -> addVirtualServer(a.vs());
            case Step.RemoveVirtualServer r -> {
                var vs = virtualServer(r.vsId());
                TreeEdits.remove(vs.parent(), vs.node());
            }
            case Step.UpdateVirtualServer u -> updateVirtualServer(u);
        }
    }

    private void updateRealServer(Step.UpdateRealServer u) throws LosslessEditException {
        var block = (Block) realServer(u.vsId(), u.before().id()).node();
        var where = "real server " + u.before().id() + " of " + u.vsId();
        if (!Objects.equals(u.before().weight(), u.after().weight())) {
            setOrRemove(block, List.of("weight"), u.after().weight(), where);
        }
        boolean inhibit = Boolean.TRUE.equals(u.after().inhibitOnFailure());
        if (inhibit != Boolean.TRUE.equals(u.before().inhibitOnFailure())) {
            if (inhibit) {
                TreeEdits.set(block, List.of("inhibit_on_failure"), "inhibit_on_failure", List.of(), guard(where));
            } else {
                TreeEdits.removeAll(block, List.of("inhibit_on_failure"), guard(where));
            }
        }
    }

    private void updateVirtualServer(Step.UpdateVirtualServer u) throws LosslessEditException {
        var before = u.before();
        var after = u.after();
        var block = (Block) virtualServer(before.id()).node();
        var where = "virtual server " + before.id();
        if (!Objects.equals(before.lbAlgo(), after.lbAlgo())) {
            setOrRemove(block, List.of("lb_algo", "lvs_sched"), after.lbAlgo(), where);
        }
        if (before.lbKind() != after.lbKind()) {
            setOrRemove(block, List.of("lb_kind", "lvs_method"), after.lbKind(), where);
        }
        if (!Objects.equals(before.persistenceTimeout(), after.persistenceTimeout())) {
            setOrRemove(block, List.of("persistence_timeout"), after.persistenceTimeout(), where);
        }
        if (!Objects.equals(before.delayLoop(), after.delayLoop())) {
            setOrRemove(block, List.of("delay_loop"), after.delayLoop(), where);
        }
        if (!Objects.equals(before.quorum(), after.quorum())) {
            setOrRemove(block, List.of("quorum"), after.quorum(), where);
        }
    }

    /// Sets the statement to `value` as the canonical writer spells it, or removes it for null.
    private void setOrRemove(Block block, List<String> names, Object value, String where) throws LosslessEditException {
        if (value == null) {
            TreeEdits.removeAll(block, names, guard(where));
            return;
        }
        TreeEdits.set(block, names, names.getFirst(), List.of(ConfigWriter.value(value)), guard(where));
    }

    private void moveRealServer(Step.MoveRealServer m) throws LosslessEditException {
        var from = realServer(m.fromId(), m.rsId());
        var block = (Block) from.node();
        var before = rsDef(m.fromId(), m.rsId());
        if (!Objects.equals(before.port(), m.moved().port())) {
            setPort(block, m.moved().port(), "real server " + m.rsId() + " of " + m.fromId());
        }
        // the target is found before the block leaves: both are found in the file as it was
        var target = anchor(m.toId());
        var indent = TreeEdits.indentOf(block);
        var text = TreeEdits.remove(from.parent(), block);
        place(target, TreeEdits.reindent(text, indent, target.indent()));
    }

    private void setPort(Block block, Integer port, String where) throws LosslessEditException {
        var header = block.header();
        guard(where).check(header, "real_server");
        var tokens = new ArrayList<>(header.tokens());
        var args = header.args();
        if (args.size() >= 2) {
            int i = tokens.size() - args.size() + 1;
            tokens.set(i, args.get(1).withText(String.valueOf(port)));
        } else {
            var last = tokens.getLast();
            tokens.set(tokens.size() - 1, last.withTrailing(""));
            tokens.add(new SyntaxToken(SyntaxToken.Kind.WORD, " ", String.valueOf(port), last.trailing()));
        }
        block.header(new Statement(tokens));
    }

    /// Where a real server joins a virtual server: after its last real server, else at the end
    /// of its block.
    private record Anchor(Block parent, SyntaxNode after, String indent, String unit) {
    }

    private Anchor anchor(String vsId) throws LosslessEditException {
        var vsSite = virtualServer(vsId);
        var vs = vsDef(vsId);
        if (vs.realServers().isEmpty()) {
            var block = (Block) vsSite.node();
            return new Anchor(block, null, TreeEdits.indentOfChildren(block), unit(block, treeOf(vsId)));
        }
        var last = realServer(vsId, vs.realServers().getLast().id());
        var position = position(vsId, vs.realServers().getLast(), "real server");
        return new Anchor(last.parent(), last.node(), TreeEdits.indentOf(last.node()),
                unit((Block) last.node(), tree(vsId, position)));
    }

    private void insertRealServer(String vsId, String canonical) throws LosslessEditException {
        var anchor = anchor(vsId);
        var text = TreeEdits.indentLike(canonical, anchor.indent(), anchor.unit());
        place(anchor, text);
    }

    private void place(Anchor anchor, String text) {
        var children = anchor.parent().children();
        int index = anchor.after() == null ? children.size() : TreeEdits.indexOf(anchor.parent(), anchor.after()) + 1;
        TreeEdits.insert(anchor.parent(), index, text, anchor.after());
    }

    private void addVirtualServer(VirtualServerDef vs) throws LosslessEditException {
        var servers = config.virtualServers();
        var canonical = ConfigWriter.writeVirtualServer(vs);
        if (servers.isEmpty()) {
            var tree = trees.get(main);
            var root = tree.root();
            TreeEdits.insert(root, root.children().size(), (root.children().isEmpty() ? "" : "\n")
                    + TreeEdits.indentLike(canonical, "", TreeEdits.unit(null, root)), null);
            return;
        }
        var last = virtualServer(servers.getLast().id());
        var tree = treeOf(servers.getLast().id());
        var text = TreeEdits.indentLike(canonical, TreeEdits.indentOf(last.node()), unit((Block) last.node(), tree));
        var index = TreeEdits.indexOf(last.parent(), last.node()) + 1;
        TreeEdits.insert(last.parent(), index, "\n" + text, null);
    }

    // ---- finding blocks

    /// The file's indentation unit for text that goes beside or into `like` (see [TreeEdits#unit]).
    private String unit(Block like, SyntaxTree tree) {
        return blocks == null ? TreeEdits.unit(like, tree.root()) : TreeEdits.unit(like, blocks.unit());
    }

    private VirtualServerDef vsDef(String vsId) throws LosslessEditException {
        return config.virtualServers().stream().filter(v -> v.id().equals(vsId)).findFirst()
                .orElseThrow(() -> new LosslessEditException(Reason.CHANGED_ON_DISK, "no virtual server " + vsId
                        + " in the file"));
    }

    private RealServerDef rsDef(String vsId, String rsId) throws LosslessEditException {
        return vsDef(vsId).realServers().stream().filter(r -> r.id().equals(rsId)).findFirst()
                .orElseThrow(() -> new LosslessEditException(Reason.CHANGED_ON_DISK, "no real server " + rsId
                        + " of " + vsId + " in the file"));
    }

    private SyntaxTree treeOf(String vsId) throws LosslessEditException {
        return tree(vsId, position(vsId, vsDef(vsId), "virtual server " + vsId));
    }

    private SyntaxTree.Site virtualServer(String vsId) throws LosslessEditException {
        return site(vsId, vsDef(vsId), "virtual_server", "virtual server " + vsId);
    }

    private SyntaxTree.Site realServer(String vsId, String rsId) throws LosslessEditException {
        virtualServer(vsId);
        return site(vsId, rsDef(vsId, rsId), "real_server", "real server " + rsId + " of " + vsId);
    }

    /// Where `model`, an object of the virtual server `vsId`, is written: in its file, or in its
    /// block when the file is kept by blocks.
    private Position position(String vsId, Object model, String what) throws LosslessEditException {
        var p = blocks == null ? located.positionOf(model)
                : Optional.ofNullable(piece(vsId) < 0 ? null : blocks.piece(piece(vsId)).positions().get(model));
        return p.orElseThrow(() -> new LosslessEditException(Reason.NOT_WRITABLE, what + " has no place in the file"));
    }

    private int piece(String vsId) throws LosslessEditException {
        return blocks.pieceOf(vsDef(vsId));
    }

    /// The tree that holds `p`, a position of an object of the virtual server `vsId`.
    private SyntaxTree tree(String vsId, Position p) throws LosslessEditException {
        if (blocks == null) {
            return trees.get(p.file());
        }
        var at = piece(vsId);
        var tree = opened.get(at);
        if (tree == null) {
            tree = blocks.open(at);
            opened.put(at, tree);
        }
        return tree;
    }

    /// The block the model object (of the virtual server `vsId`) was read from; refused when it
    /// is not a block of its own in a file (it came from a parameter) or stands on an `@ID` line.
    private SyntaxTree.Site site(String vsId, Object model, String keyword, String what) throws LosslessEditException {
        var p = position(vsId, model, what);
        var tree = tree(vsId, p);
        var site = tree == null ? null : tree.at(p.line(), p.column(), keyword).orElse(null);
        if (site == null || !(site.node() instanceof Block block)) {
            throw new LosslessEditException(Reason.NOT_WRITABLE, p + ": " + what + " is not written there as a "
                    + keyword + " block (a $NAME parameter makes it?); Pharos does not rewrite parameters: edit the "
                    + "file by hand");
        }
        if (block.header().conditional()) {
            throw new LosslessEditException(Reason.NOT_WRITABLE, p + ": " + what + " stands on a line for config id "
                    + block.header().tokens().getFirst().text().substring(1) + " only; edit the file by hand");
        }
        return site;
    }

    /// Refuses to rewrite a statement written with a parameter or for one config id only.
    private TreeEdits.Guard guard(String where) {
        return (statement, keyword) -> {
            if (statement.conditional()) {
                throw new LosslessEditException(Reason.NOT_WRITABLE, where + ": its " + keyword + " stands on a line "
                        + "for config id " + statement.tokens().getFirst().text().substring(1)
                        + " only; edit the file by hand");
            }
            if (statement.tokens().stream().anyMatch(t -> t.text().contains("$"))) {
                throw new LosslessEditException(Reason.NOT_WRITABLE, where + ": its " + keyword + " is written with a "
                        + "$NAME parameter (" + statement.text().strip() + "); Pharos does not rewrite a parameter's "
                        + "definition, which other lines may use: edit the file by hand");
            }
        };
    }
}
