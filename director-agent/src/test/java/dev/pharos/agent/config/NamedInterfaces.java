package dev.pharos.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/// The network interfaces a keepalived.conf names, found by a generous scan of its words rather
/// than by a parser (the files under test may be ones Pharos cannot parse): the word after
/// `interface`, `dev`, `oif`, `iif` and their kin, and every word of blocks that list interfaces
/// (`track_interface`, `linkbeat_interfaces`, `interfaces`, …). Included files are followed and
/// `$NAME` parameters looked up, so `interface $IF` names what `$IF` holds.
///
/// Reading a word that is not an interface costs one unused bridge; missing one makes keepalived
/// report "Non-existent interface", so the scan errs on the side of too many.
final class NamedInterfaces {

    /// Keywords whose next word is an interface name.
    private static final Set<String> BEFORE_NAME = Set.of("interface", "dev", "oif", "iif",
            "lvs_sync_daemon_interface", "lvs_sync_daemon", "garp_interface", "default_interface",
            "vrrp_garp_interface", "mcast_src_interface", "nexthop_dev");
    /// Blocks whose lines start with interface names.
    private static final Set<String> LISTING_BLOCKS = Set.of("track_interface", "linkbeat_interfaces",
            "interfaces", "interface_up_down_delays");
    /// What Linux accepts as a device name (IFNAMSIZ is 16 with the terminating NUL).
    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,14}");
    private static final Pattern DEFINITION = Pattern.compile("^\\s*\\$([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*)$");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)\\}?");

    private final Map<String, String> parameters = new HashMap<>();
    private final Set<Path> seen = new HashSet<>();
    private final Set<String> names = new TreeSet<>();

    private NamedInterfaces() {
    }

    /// Interface names `file` and the files it includes mention; `lo` is left out (every
    /// namespace has it).
    static Set<String> in(Path file) {
        var scan = new NamedInterfaces();
        scan.read(file.toAbsolutePath().normalize(), 0);
        scan.names.remove("lo");
        return scan.names;
    }

    private void read(Path file, int depth) {
        if (depth > 8 || !seen.add(file)) {
            return;
        }
        List<String> lines;
        try {
            // Latin-1 maps every byte to a character: a file in any encoding can be scanned.
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return;
        }
        var listing = 0;
        for (var raw : lines) {
            var definition = DEFINITION.matcher(raw);
            if (definition.matches()) {
                parameters.put(definition.group(1), definition.group(2).replace("\\", " ").trim());
            }
            var words = substitute(stripComment(raw)).replace("{", " { ").replace("}", " } ").trim().split("\\s+");
            for (int i = 0; i < words.length; i++) {
                var word = words[i];
                if (word.equals("include") && i + 1 < words.length) {
                    include(file, words[i + 1], depth);
                } else if (LISTING_BLOCKS.contains(word)) {
                    listing = 1;
                } else if (word.equals("{")) {
                    listing = listing > 0 ? listing + 1 : 0;
                } else if (word.equals("}")) {
                    // 1 means "keyword seen, block not opened yet": closing the block ends the listing.
                    listing = listing > 2 ? listing - 1 : 0;
                } else if (listing > 1) {
                    add(word);
                } else if (BEFORE_NAME.contains(word) && i + 1 < words.length) {
                    add(words[i + 1]);
                }
            }
        }
    }

    private static String stripComment(String line) {
        var hash = line.indexOf('#');
        var bang = line.indexOf('!');
        var cut = hash < 0 ? bang : bang < 0 ? hash : Math.min(hash, bang);
        return cut < 0 ? line : line.substring(0, cut);
    }

    private String substitute(String line) {
        return REFERENCE.matcher(line)
                .replaceAll(m -> Matcher.quoteReplacement(parameters.getOrDefault(m.group(1), m.group())));
    }

    private void add(String word) {
        // eth0:1 is an alias of eth0 (Linux names have no colon).
        var name = word.contains(":") ? word.substring(0, word.indexOf(':')) : word;
        if (DEVICE_NAME.matcher(name).matches() && !name.equals("weight")) {
            names.add(name);
        }
    }

    private void include(Path from, String pattern, int depth) {
        var target = from.getParent().resolve(pattern).normalize();
        var glob = target.getFileName() == null ? "" : target.getFileName().toString();
        if (glob.contains("*") || glob.contains("?") || glob.contains("[")) {
            try (DirectoryStream<Path> matches = Files.newDirectoryStream(target.getParent(), glob)) {
                for (var m : matches) {
                    read(m, depth + 1);
                }
            } catch (IOException | RuntimeException e) {
                // a pattern this scan cannot follow names no interface it can find
            }
        } else {
            read(target, depth + 1);
        }
    }
}
