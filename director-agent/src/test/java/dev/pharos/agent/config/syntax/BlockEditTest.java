package dev.pharos.agent.config.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.Diagnostic;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/// An edit of a file kept by blocks ([LosslessEditor#write(EditBase, ConfigEdits.Edit)]) reads
/// back only the blocks it changed and splices them into the configuration it kept: after each of
/// many random edits in a row, that configuration must be the one a whole read of the written
/// file gives, and so must its canonical text (the revision's).
class BlockEditTest {

    static final Path FILE = LosslessEditFuzzTest.FILE;
    static final Path SEED = Path.of("/work/shared/seed");

    /// Edits by blocks, the edits that had to read the file whole, and the edits validation refused.
    record Run(int byBlocks, int whole, int invalid) {
    }

    @Test
    void aGeneratedConfigurationStaysWhatAWholeReadGivesOverManyEditsByBlocks() throws Exception {
        var run = editAtRandom(new LosslessEditFuzzTest.Loaded(generated(120, 7), "", null), 400, new Random(17));
        // one self-contained UTF-8 file: every edit after the first (which reads it whole) goes by blocks
        assertThat(run.whole()).isOne();
        assertThat(run.byBlocks()).isGreaterThan(250);
        assertThat(run.invalid()).as("edits refused by validation (each checked as a whole validation checks it)")
                .isPositive();
    }

    @Test
    void keepalivedSamplesAndTheSeedStayWhatAWholeReadGives() throws Exception {
        var corpus = new ArrayList<>(LosslessEditFuzzTest.corpus());
        if (Files.isDirectory(SEED)) {
            try (var s = Files.list(SEED)) {
                for (var p : s.sorted().toList()) {
                    var seed = seedConfiguration(Files.readString(p, StandardCharsets.ISO_8859_1));
                    if (seed != null) {
                        corpus.add(seed);
                    }
                }
            }
        }
        assertThat(corpus).as("configurations with virtual servers").hasSizeGreaterThanOrEqualTo(10);
        var random = new Random(2323);
        int byBlocks = 0;
        for (var loaded : corpus) {
            byBlocks += editAtRandom(loaded, 40, random).byBlocks();
        }
        assertThat(byBlocks).isGreaterThan(200);
    }

    /// The seed is a web page that quotes configurations: the longest run of lines from a
    /// `virtual_server` line that loads, or null.
    static LosslessEditFuzzTest.Loaded seedConfiguration(String text) {
        var lines = text.split("\n", -1);
        LosslessEditFuzzTest.Loaded best = null;
        for (int from = 0; from < lines.length; from++) {
            if (!lines[from].strip().startsWith("virtual_server ")) {
                continue;
            }
            for (int to = Math.min(lines.length, from + 400); to > from; to--) {
                var candidate = String.join("\n", List.of(lines).subList(from, to)) + "\n";
                var loaded = LosslessEditFuzzTest.load(candidate, "");
                if (loaded != null && !loaded.config().virtualServers().isEmpty()) {
                    if (best == null || candidate.length() > best.text().length()) {
                        best = loaded;
                    }
                    break;
                }
            }
        }
        return best;
    }

    /// Makes `edits` random edits in a row on `start`, each by blocks when it can be made so, and
    /// after each compares the kept configuration with a whole read of the written file.
    static Run editAtRandom(LosslessEditFuzzTest.Loaded start, int edits, Random random) throws Exception {
        var text = start.text();
        var configId = start.configId();
        var config = ConfigLoader.locate(FILE, Map.of(FILE, text), configId).config();
        EditBase base = null;
        int byBlocks = 0;
        int whole = 0;
        int invalid = 0;
        for (int i = 0; i < edits * 4 && byBlocks + whole < edits; i++) {
            var edit = randomEdit(config, random);
            if (edit == null) {
                continue;
            }
            // what the agent checks of an edit: the servers it changed, and what spans them all
            var errors = errors(ConfigLoader.validate(edit.config()));
            assertThat(errors(ConfigLoader.validateEdit(config, edit.config()))).as("errors of %s", edit.changes())
                    .isEqualTo(errors);
            if (!errors.isEmpty()) {
                invalid++;
                continue;
            }
            LosslessEditor.Written written;
            try {
                written = base == null ? null : LosslessEditor.write(base, edit).orElse(null);
                if (written != null) {
                    byBlocks++;
                } else {
                    written = LosslessEditor.write(FILE, Map.of(FILE, text.getBytes(StandardCharsets.ISO_8859_1)),
                            configId, config, edit);
                    whole++;
                }
            } catch (LosslessEditException e) {
                // refused only for what the file writes with a parameter or for one config id
                assertThat(e.reason()).isEqualTo(LosslessEditException.Reason.NOT_WRITABLE);
                assertThat(e.getMessage()).containsAnyOf("$NAME", "config id");
                continue;
            }
            var bytes = written.changed().get(FILE);
            if (bytes != null) {
                text = new String(bytes, StandardCharsets.ISO_8859_1);
            }
            var read = ConfigLoader.locate(FILE, Map.of(FILE, SyntaxTree.decode(text.getBytes(StandardCharsets.ISO_8859_1))),
                    configId).config();
            assertThat(written.config()).as("edit %d (%s) of %s", i, edit.changes(), start.text().lines().findFirst())
                    .isEqualTo(read);
            assertThat(written.canonical()).isEqualTo(ConfigWriter.write(read));
            assertThat(ConfigWriter.write(read)).isEqualTo(ConfigWriter.write(edit.config()));
            config = written.config();
            base = written.next();
        }
        return new Run(byBlocks, whole, invalid);
    }

    static List<String> errors(List<Diagnostic> found) {
        return found.stream().filter(Diagnostic::isError).map(Diagnostic::message).toList();
    }

    static ConfigEdits.Edit randomEdit(KeepalivedConfig c, Random r) throws IOException {
        var servers = c.virtualServers();
        if (servers.isEmpty()) {
            return null;
        }
        var vs = servers.get(r.nextInt(servers.size()));
        var rs = vs.realServers().isEmpty() ? null : vs.realServers().get(r.nextInt(vs.realServers().size()));
        try {
            return switch (r.nextInt(9)) {
                case 0, 1 -> rs == null ? null : ConfigEdits.updateRealServer(c, vs.id(), rs.id(), r.nextInt(20), null);
                case 2 -> rs == null ? null : ConfigEdits.updateRealServer(c, vs.id(), rs.id(), null, r.nextBoolean());
                case 3 -> ConfigEdits.addRealServer(c, vs.id(), address(vs, r), r.nextBoolean() ? null : 1 + r.nextInt(9000),
                        r.nextInt(10), r.nextBoolean());
                case 4 -> rs == null ? null : ConfigEdits.removeRealServer(c, vs.id(), rs.id());
                case 5 -> rs == null || servers.size() < 2 ? null : ConfigEdits.moveRealServer(c, vs.id(), rs.id(),
                        servers.get(r.nextInt(servers.size())).id(), r.nextBoolean() ? null : 1 + r.nextInt(9000));
                case 6 -> ConfigEdits.updateVirtualServer(c, vs.id(),
                        ConfigEdits.SCHEDULERS.get(r.nextInt(ConfigEdits.SCHEDULERS.size())), null,
                        r.nextBoolean() ? null : Duration.ofSeconds(r.nextInt(600)),
                        r.nextBoolean() ? null : Duration.ofSeconds(1 + r.nextInt(30)), r.nextBoolean() ? null : r.nextInt(3));
                case 7 -> servers.size() < 3 ? null : ConfigEdits.removeVirtualServer(c, vs.id());
                default -> ConfigEdits.addVirtualServer(c, new VirtualServerDef.Key.Address(address(vs, r),
                        1 + r.nextInt(9000)), VirtualServerDef.Protocol.TCP, "wrr", VirtualServerDef.LbKind.NAT,
                        null, null);
            };
        } catch (ConfigEdits.EditException e) {
            return null;
        }
    }

    /// A documentation address of the family of `vs`'s servers.
    static InetAddress address(VirtualServerDef vs, Random r) throws IOException {
        boolean v6 = LosslessEditFuzzTest.newAddress(vs) instanceof Inet6Address;
        return InetAddress.getByName(v6 ? "2001:db8::" + Integer.toHexString(1 + r.nextInt(0xfffe))
                : "203.0.113." + (1 + r.nextInt(254)));
    }

    /// `servers` virtual servers of up to `perServer` real servers each, written in the styles
    /// operators write in: comments above and beside blocks, blank lines, tabs or spaces, a `{` on
    /// the next line, checkers, a group, a VRRP instance, `@ID` lines for another host.
    static String generated(int servers, int perServer) {
        var r = new Random(servers * 31L + perServer);
        var out = new StringBuilder("! generated for BlockEditTest\nglobal_defs {\n    router_id gen\n}\n\n");
        out.append("vrrp_instance VI_1 {\n    state BACKUP\n    interface lo\n    virtual_router_id 51\n")
                .append("    priority 100\n    virtual_ipaddress {\n        192.0.2.100/32\n    }\n}\n\n");
        out.append("virtual_server_group G1 {\n    192.0.2.200 80\n    192.0.2.201 80\n}\n\n");
        out.append("virtual_server group G1 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n")
                .append("    real_server 198.51.100.250 80 {\n        weight 2\n    }\n}\n");
        for (int v = 0; v < servers; v++) {
            var unit = v % 3 == 0 ? "\t" : v % 3 == 1 ? "    " : "  ";
            if (r.nextInt(4) == 0) {
                out.append("\n! service ").append(v).append('\n');
            } else {
                out.append('\n');
            }
            out.append("virtual_server 192.0.2.").append(1 + v % 250).append(' ').append(1000 + v / 250);
            out.append(r.nextInt(5) == 0 ? "\n{\n" : " {  # vs " + v + "\n");
            out.append(unit).append("delay_loop 6\n").append(unit).append("lb_algo wrr\n")
                    .append(unit).append("lb_kind NAT\n").append(unit).append("protocol TCP\n");
            if (r.nextInt(6) == 0) {
                out.append("@otherhost ").append(unit).append("persistence_timeout 50\n");
            }
            int n = r.nextInt(perServer + 1);
            for (int s = 0; s < n; s++) {
                out.append(unit).append("real_server 198.51.100.").append(1 + (v + s) % 250).append(' ')
                        .append(8000 + s).append(" {\n");
                out.append(unit).append(unit).append("weight ").append(1 + r.nextInt(10)).append('\n');
                if (r.nextInt(3) == 0) {
                    out.append(unit).append(unit).append("TCP_CHECK {\n").append(unit).append(unit).append(unit)
                            .append("connect_timeout 3\n").append(unit).append(unit).append("}\n");
                }
                out.append(unit).append("}\n");
            }
            out.append("}\n");
        }
        return out.toString();
    }
}
