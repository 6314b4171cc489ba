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

    /// Includes nested deeper than this are an error (a cycle ends here too).
    static final int MAX_DEPTH = 8;
    /// The most files one configuration may read.
    static final int MAX_FILES = 256;
    private static final Pattern INCLUDE = Pattern.compile("^\\s*include[a-z]?\\s+(\\S.*?)\\s*$");

    /// The host's files, as [RemoteHost] reads them over SFTP.
    public interface Files {
        /// The text of the file at `path`.
        String read(String path) throws IOException;

        /// The regular files matching `pattern` (`*` and `?` in its last element), sorted.
        List<String> glob(String pattern) throws IOException;

        static Files of(RemoteHost host) {
            return new Files() {
                @Override
                public String read(String path) throws IOException {
                    return host.read(path);
                }

                @Override
                public List<String> glob(String pattern) throws IOException {
                    return host.glob(pattern);
                }
            };
        }
    }

    /// Reads `file` and its includes from `host`; an unreadable file or an invalid configuration is
    /// an [IOException] whose message names where (`keepalived.conf:12:5: …`).
    public static RemoteConfig read(Files host, String file, String configId) throws IOException {
        var files = new ArrayList<String>();
        var origins = new ArrayList<String>();
        var text = new StringBuilder();
        expand(host, file, 0, files, text, origins);
        try {
            var loaded = ConfigLoader.parse(Path.of(file), text.toString(), configId);
            return new RemoteConfig(loaded.config(), files);
        } catch (ConfigException e) {
            var first = e.errors().isEmpty() ? e.diagnostics().getFirst() : e.errors().getFirst();
            var at = first.position();
            // the spliced text's line, named in the file it came from
            var where = at == null || at.line() < 1 || at.line() > origins.size() ? file
                    : origins.get(at.line() - 1) + ":" + at.column();
            throw new IOException(where + ": " + first.message(), e);
        }
    }

    /// Appends `file`'s lines to `out`, each include line replaced by the files it names, and the
    /// origin (`file:line`) of each line appended to `origins`.
    private static void expand(Files host, String file, int depth, List<String> files, StringBuilder out,
            List<String> origins) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("includes nested deeper than " + MAX_DEPTH + " files at " + file
                    + " (an include cycle?)");
        }
        if (files.size() >= MAX_FILES) {
            throw new IOException("more than " + MAX_FILES + " configuration files");
        }
        files.add(file);
        var lines = host.read(file).split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            var line = lines[n];
            var m = INCLUDE.matcher(stripComment(line));
            if (!m.matches()) {
                out.append(line).append('\n');
                origins.add(file + ":" + (n + 1));
                continue;
            }
            var pattern = m.group(1);
            if (!pattern.startsWith("/")) {
                var slash = file.lastIndexOf('/');
                pattern = (slash < 0 ? "" : file.substring(0, slash + 1)) + pattern;
            }
            var matches = pattern.contains("*") || pattern.contains("?") ? host.glob(pattern) : List.of(pattern);
            for (var included : matches) {
                expand(host, included, depth + 1, files, out, origins);
            }
        }
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        int bang = line.indexOf('!');
        int cut = hash < 0 ? bang : bang < 0 ? hash : Math.min(hash, bang);
        return cut < 0 ? line : line.substring(0, cut);
    }
}
