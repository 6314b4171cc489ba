package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/// The BFD part of a configuration: its `bfd_instance`s and each `vrrp_instance`'s `track_bfd`
/// lines. The model carries both verbatim as [Extra]s (so writing it back loses nothing and
/// needs no new fields); this reads them with the parser that checked them when the file was
/// loaded, whose reports are not repeated here.
///
/// @param tracks per `vrrp_instance` name, its `track_bfd` lines naming a known `bfd_instance`
public record BfdConfig(List<BfdInstanceDef> instances, Map<String, List<BfdInstanceDef.Track>> tracks) {

    private static final Position NOWHERE = new Position(null, 0, 0);

    public BfdConfig {
        instances = List.copyOf(instances);
        tracks = Map.copyOf(tracks);
    }

    public static BfdConfig of(KeepalivedConfig config) {
        var parser = new BfdParser(new Values(new ArrayList<>()));
        for (var e : config.extras()) {
            if (e.keyword().equals("bfd_instance")) {
                parser.instance(node(e));
            }
        }
        var instances = parser.instances();
        var tracks = new LinkedHashMap<String, List<BfdInstanceDef.Track>>();
        for (var i : config.vrrpInstances()) {
            var lines = new ArrayList<Node>();
            for (var e : i.extras()) {
                if (e.keyword().equals("track_bfd")) {
                    node(e).children().stream()
                            .filter(l -> config.extras().stream().anyMatch(b -> b.keyword().equals("bfd_instance")
                                    && b.args().equals(List.of(l.name()))))
                            .forEach(lines::add);
                }
            }
            var found = parser.tracks(lines, "vrrp_instance " + i.name());
            if (!found.isEmpty()) {
                tracks.put(i.name(), found);
            }
        }
        return new BfdConfig(instances, tracks);
    }

    public boolean isEmpty() {
        return instances.isEmpty();
    }

    private static Node node(Extra e) {
        return new Node(word(e.keyword()), e.args().stream().map(BfdConfig::word).toList(),
                e.block() ? e.children().stream().map(BfdConfig::node).toList() : null);
    }

    private static Token word(String text) {
        return new Token(Token.Kind.WORD, text, false, NOWHERE);
    }
}
