package dev.pharos.console.adopt;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.console.connect.RemoteHost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/// An adopted host's keepalived configuration, read over SFTP with its includes and parsed by
/// Pharos's own reader ([ConfigLoader]).
///
/// The includes are followed here, on the remote files, and spliced into the text in place of
/// their `include` line — as keepalived reads them, line by line — because the reader resolves
/// includes on this machine's disk. A relative pattern is resolved against the directory of the
/// file that holds it; `*` and `?` are matched in a pattern's last element only (SFTP's own
/// matching), and a pattern with `{a,b}` alternatives is read as written.
///
/// @param files the files read, the top-level one first
public record RemoteConfig(KeepalivedConfig config, List<String> files) {

    /// As keepalived's `MAX_INCLUDE_DEPTH`-like guard: includes nested deeper are an error.
    static final int MAX_DEPTH = 8;
    static final int MAX_FILES = 256;
    private static final Pattern INCLUDE = Pattern.compile("^\\s*include[a-z]?\\s+(\\S.*?)\\s*$");

    /// Reads `file` and its includes from `host`; an unreadable file or an invalid configuration is
    /// an [IOException] whose message names where (`keepalived.conf:12:5: …`).
    public static RemoteConfig read(RemoteHost host, String file, String configId) throws IOException {
        var files = new ArrayList<String>();
        var text = expand(host, file, 0, files);
        try {
            var loaded = ConfigLoader.parse(Path.of(file), text, configId);
            return new RemoteConfig(loaded.config(), files);
        } catch (ConfigException e) {
            var first = e.errors().isEmpty() ? e.diagnostics().getFirst() : e.errors().getFirst();
            throw new IOException((files.size() > 1 ? "with its includes spliced in, " : "") + first, e);
        }
    }

    private static String expand(RemoteHost host, String file, int depth, List<String> files) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("includes nested deeper than " + MAX_DEPTH + " files at " + file);
        }
        if (files.size() >= MAX_FILES) {
            throw new IOException("more than " + MAX_FILES + " configuration files");
        }
        files.add(file);
        var out = new StringBuilder();
        for (var line : host.read(file).split("\n", -1)) {
            var m = INCLUDE.matcher(stripComment(line));
            if (!m.matches()) {
                out.append(line).append('\n');
                continue;
            }
            var pattern = m.group(1);
            if (!pattern.startsWith("/")) {
                var slash = file.lastIndexOf('/');
                pattern = (slash < 0 ? "" : file.substring(0, slash + 1)) + pattern;
            }
            var matches = pattern.contains("*") || pattern.contains("?") ? host.glob(pattern) : List.of(pattern);
            out.append('\n'); // the include line itself, so the lines after it keep their numbers
            for (var included : matches) {
                out.append(expand(host, included, depth + 1, files));
            }
        }
        return out.toString();
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        int bang = line.indexOf('!');
        int cut = hash < 0 ? bang : bang < 0 ? hash : Math.min(hash, bang);
        return cut < 0 ? line : line.substring(0, cut);
    }
}
