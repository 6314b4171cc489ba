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
final class BlockReader {

    private final Values values;
    private final String blockName;
    private final Set<String> known;
    private final Map<String, Consumer<Node>> handlers = new LinkedHashMap<>();
    private final Map<String, String> canonical = new HashMap<>();
    private final List<Extra> extras = new ArrayList<>();

    BlockReader(Values values, String blockName, Set<String> known) {
        this.values = values;
        this.blockName = blockName;
        this.known = known;
    }

    /// Registers `handler` for `keyword` and its aliases.
    BlockReader on(String keyword, Consumer<Node> handler, String... aliases) {
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
        var seen = new HashMap<String, Position>();
        for (var child : block.children()) {
            var handler = handlers.get(child.name());
            if (handler != null) {
                var key = canonical.get(child.name());
                var before = seen.put(key, child.position());
                if (before != null && !repeatable(key)) {
                    values.warning(child.position(), key + " is given again in " + blockName
                            + " (first at line " + before.line() + "); the last one wins");
                }
                handler.accept(child);
            } else if (known.contains(child.name()) || Keywords.CHECKER_COMMON.contains(child.name())
                    && blockName.endsWith("_CHECK")) {
                values.warning(child.position(), "'" + child.name() + "' in " + blockName
                        + " is a keepalived keyword Pharos does not implement yet; it is kept in the file but has no effect");
                extras.add(Extra.of(child));
            } else {
                values.error(child.position(), "unknown keyword '" + child.name() + "' in " + blockName
                        + suggestion(child.name()));
            }
        }
        return List.copyOf(extras);
    }

    private static boolean repeatable(String keyword) {
        return switch (keyword) {
            case "real_server", "url", "notification_email", "HTTP_GET", "SSL_GET", "TCP_CHECK", "MISC_CHECK",
                 "DNS_CHECK", "status_code", "vrrp_instance", "virtual_server", "vrrp_script", "vrrp_sync_group",
                 "virtual_server_group", "unicast_peer", "virtual_ipaddress", "track_script", "track_interface" -> true;
            default -> false;
        };
    }

    private String suggestion(String word) {
        return Suggestions.closest(word, handlers.keySet()).map(k -> "; did you mean '" + k + "'?").orElse("");
    }
}
