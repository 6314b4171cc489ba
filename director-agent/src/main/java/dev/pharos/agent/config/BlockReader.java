package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/// Walks the statements of one block, handing each to the handler registered for its keyword
/// (aliases registered under each spelling). A keyword keepalived knows but Pharos has no handler
/// for is a warning and kept as an [Extra]; any other keyword is an error with a suggestion.
///
/// A keyword given twice resolves as keepalived 2.2.7's handler for it does: most handlers just
/// store the value again, so the last one wins ([#on]); some check first and log "already
/// specified - ignoring", so the first one wins ([#first]); list keywords add up ([#each]).
final class BlockReader {

    /// How a repeated keyword resolves.
    private enum Repeat {
        LAST_WINS, FIRST_WINS, ADDS
    }

    /// @param kept      the statement is also kept verbatim as an [Extra]
    /// @param effective Pharos acts on it (no "does not implement" warning)
    private record Handler(Consumer<Node> action, Repeat repeat, boolean kept, boolean effective) {
    }

    private final Values values;
    private final String blockName;
    private final Set<String> known;
    private final Map<String, Handler> handlers = new LinkedHashMap<>();
    private final Map<String, String> canonical = new HashMap<>();
    private final Map<String, String> misplaced = new HashMap<>();
    private Set<String> flags = Set.of();
    private Set<String> onOff = Set.of();
    private final Map<String, Position> seen = new HashMap<>();
    private final List<Extra> extras = new ArrayList<>();

    BlockReader(Values values, String blockName, Set<String> known) {
        this.values = values;
        this.blockName = blockName;
        this.known = known;
    }

    /// Registers `handler` for `keyword` and its aliases; given twice, the last one wins.
    BlockReader on(String keyword, Consumer<Node> handler, String... aliases) {
        return register(keyword, new Handler(handler, Repeat.LAST_WINS, false, true), aliases);
    }

    /// Registers `handler` for a keyword whose keepalived handler keeps the first value and logs
    /// "already specified - ignoring" for the next: a repeat is warned about and not handled.
    BlockReader first(String keyword, Consumer<Node> handler) {
        return register(keyword, new Handler(handler, Repeat.FIRST_WINS, false, true));
    }

    /// Registers `handler` for a keyword that may be given many times (a list, or a handler that
    /// resolves repeats itself).
    BlockReader each(String keyword, Consumer<Node> handler) {
        return register(keyword, new Handler(handler, Repeat.ADDS, false, true));
    }

    /// Runs `handler` on a keyword Pharos does not implement (to learn a name other blocks refer
    /// to), then keeps the statement verbatim with the usual warning.
    BlockReader kept(String keyword, Consumer<Node> handler) {
        return register(keyword, new Handler(handler, Repeat.ADDS, true, false));
    }

    /// Runs `handler` on a keyword Pharos acts on but whose statement the model carries verbatim
    /// as an [Extra] (read back by [BfdConfig]), without the "does not implement" warning.
    BlockReader carried(String keyword, Consumer<Node> handler) {
        return register(keyword, new Handler(handler, Repeat.ADDS, true, true));
    }

    /// A keyword keepalived 2.2.7 does not install in this block although it does elsewhere: an
    /// error saying where it belongs, as keepalived rejects it here ("Unknown keyword").
    BlockReader misplaced(String keyword, String advice) {
        misplaced.put(keyword, advice);
        return this;
    }

    /// The block's keywords that are on when present ([Keywords]'s FLAGS and ON_OFF lists): a
    /// kept one has its word checked as its handler would read it.
    BlockReader words(Set<String> flags, Set<String> onOff) {
        this.flags = flags;
        this.onOff = onOff;
        return this;
    }

    private BlockReader register(String keyword, Handler handler, String... aliases) {
        handlers.put(keyword, handler);
        canonical.put(keyword, keyword);
        for (var a : aliases) {
            handlers.put(a, handler);
            canonical.put(a, keyword);
        }
        return this;
    }

    /// Reads every statement of `block`; returns the kept unimplemented ones.
    List<Extra> read(Node block) {
        for (var child : block.children()) {
            var handler = handlers.get(child.name());
            var advice = misplaced.get(child.name());
            if (advice != null) {
                values.error(child.position(), "'" + child.name() + "' is not a keyword of " + blockName
                        + " in keepalived 2.2.7: " + advice);
            } else if (handler != null) {
                handle(child, handler);
            } else if (known.contains(child.name())) {
                keep(child);
            } else {
                values.error(child.position(), "unknown keyword '" + child.name() + "' in " + blockName
                        + suggestion(child.name()));
            }
        }
        return List.copyOf(extras);
    }

    private void handle(Node child, Handler handler) {
        var key = canonical.get(child.name());
        var before = seen.get(key);
        if (before != null && handler.repeat() == Repeat.FIRST_WINS) {
            values.warning(child.position(), key + " is given again in " + blockName + " (first at line "
                    + before.line() + "); keepalived keeps the first one and ignores this one, and so does Pharos");
            return;
        }
        seen.put(key, child.position());
        if (before != null && handler.repeat() == Repeat.LAST_WINS) {
            values.warning(child.position(), key + " is given again in " + blockName
                    + " (first at line " + before.line() + "); the last one wins");
        }
        handler.action().accept(child);
        if (handler.kept() && handler.effective()) {
            extras.add(Extra.of(child));
        } else if (handler.kept()) {
            keep(child);
        }
    }

    private void keep(Node child) {
        if (flags.contains(child.name())) {
            values.flag(child);
        } else if (onOff.contains(child.name())) {
            values.trueFalse(child);
        }
        values.warning(child.position(), "'" + child.name() + "' in " + blockName
                + " is a keepalived keyword Pharos does not implement yet; it is kept in the file but has no effect");
        extras.add(Extra.of(child));
    }

    /// Where the statement that set `keyword` stands (the one in effect when given twice), or null.
    Position position(String keyword) {
        return seen.get(keyword);
    }

    private String suggestion(String word) {
        return Suggestions.closest(word, handlers.keySet()).map(k -> "; did you mean '" + k + "'?").orElse("");
    }
}
