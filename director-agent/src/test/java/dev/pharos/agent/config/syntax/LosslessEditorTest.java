package dev.pharos.agent.config.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pharos.agent.config.ConfigEdits;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.config.ConfigWriter;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// Each kind of edit changes exactly the lines it must: the expected file is the original with
/// one span replaced, so any other byte that moved fails the test.
class LosslessEditorTest {

    static final String VS80 = "tcp/192.0.2.100:80";
    static final String VS443 = "tcp/192.0.2.100:443";
    static final Path FILE = Path.of("/etc/keepalived/keepalived.conf");

    static final String TEXT = """
            ! A file written by hand: tabs, comments, blank lines.
            global_defs {
               router_id lossless   # three spaces here
            }

            # the web service
            virtual_server 192.0.2.100 80 {
            \tdelay_loop 6
            \tlb_algo wrr     ! weighted
            \tlb_kind NAT
            \tprotocol TCP

            \t# first backend
            \treal_server 198.51.100.11 80 {
            \t\tweight 1   # keep low
            \t}

            \treal_server 198.51.100.12 80 {
            \t\tweight 2
            \t\tTCP_CHECK {
            \t\t\tconnect_timeout 3
            \t\t}
            \t}
            }

            virtual_server 192.0.2.100 443 {
            \tlb_algo rr
            \tlb_kind NAT
            \tprotocol TCP
            \treal_server 198.51.100.21 443 {
            \t\tweight 1
            \t}
            }
            ! end
            """;

    @FunctionalInterface
    interface EditOf {
        ConfigEdits.Edit apply(KeepalivedConfig c) throws Exception;
    }

    /// The edit written into `text` (the one file), checked to load to the edited model.
    static String edited(String text, String configId, EditOf edit) throws Exception {
        var bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        var written = write(Map.of(FILE, bytes), configId, edit);
        assertThat(written.changed().keySet()).containsOnly(FILE);
        return new String(written.changed().get(FILE), StandardCharsets.ISO_8859_1);
    }

    static LosslessEditor.Written write(Map<Path, byte[]> files, String configId, EditOf edit) throws Exception {
        var texts = new LinkedHashMap<Path, String>();
        files.forEach((p, b) -> texts.put(p, SyntaxTree.decode(b)));
        var running = ConfigLoader.locate(FILE, texts, configId).config();
        var e = edit.apply(running);
        var written = LosslessEditor.write(FILE, files, configId, running, e);
        assertThat(ConfigWriter.write(written.config())).isEqualTo(ConfigWriter.write(e.config()));
        return written;
    }

    /// `TEXT` with `old` (which must occur once) replaced by `replacement`.
    static String replaced(String old, String replacement) {
        assertThat(TEXT.indexOf(old)).as("once: %s", old).isEqualTo(TEXT.lastIndexOf(old)).isNotNegative();
        return TEXT.replace(old, replacement);
    }

    @Test
    void aWeightChangesOneLine() throws Exception {
        var out = edited(TEXT, "", c -> ConfigEdits.updateRealServer(c, VS80, "198.51.100.11:80", 5, null));
        assertThat(out).isEqualTo(replaced("\t\tweight 1   # keep low\n", "\t\tweight 5   # keep low\n"));
    }

    @Test
    void inhibitOnFailureIsOneLineAddedBeforeTheChecksAndRemovedAgain() throws Exception {
        var on = edited(TEXT, "", c -> ConfigEdits.updateRealServer(c, VS80, "198.51.100.12:80", null, true));
        var expected = replaced("\t\tweight 2\n", "\t\tweight 2\n\t\tinhibit_on_failure\n");
        assertThat(on).isEqualTo(expected);
        var off = edited(on, "", c -> ConfigEdits.updateRealServer(c, VS80, "198.51.100.12:80", null, false));
        assertThat(off).isEqualTo(TEXT);
    }

    @Test
    void anAddedRealServerFollowsTheLastOneIndentedAndSpacedLikeIt() throws Exception {
        var out = edited(TEXT, "", c -> ConfigEdits.addRealServer(c, VS80, InetAddress.getByName("198.51.100.13"),
                null, 3, false));
        assertThat(out).isEqualTo(replaced("\t\t\tconnect_timeout 3\n\t\t}\n\t}\n", "\t\t\tconnect_timeout 3\n\t\t}\n\t}\n"
                + "\n\treal_server 198.51.100.13 80 {\n\t\tweight 3\n\t}\n"));
    }

    @Test
    void aRemovedRealServerTakesItsCommentAndOneBlankLine() throws Exception {
        var out = edited(TEXT, "", c -> ConfigEdits.removeRealServer(c, VS80, "198.51.100.11:80"));
        assertThat(out).isEqualTo(replaced("\t# first backend\n\treal_server 198.51.100.11 80 {\n\t\tweight 1   # keep low\n"
                + "\t}\n\n", ""));
        var last = edited(TEXT, "", c -> ConfigEdits.removeRealServer(c, VS443, "198.51.100.21:443"));
        assertThat(last).isEqualTo(replaced("\treal_server 198.51.100.21 443 {\n\t\tweight 1\n\t}\n", ""));
    }

    @Test
    void aMovedRealServerKeepsItsTextAndTakesTheNewPort() throws Exception {
        var out = edited(TEXT, "", c -> ConfigEdits.moveRealServer(c, VS80, "198.51.100.12:80", VS443, 443));
        var block = "\treal_server 198.51.100.12 80 {\n\t\tweight 2\n\t\tTCP_CHECK {\n\t\t\tconnect_timeout 3\n\t\t}\n\t}\n";
        var expected = replaced("\t}\n\n" + block, "\t}\n")
                .replace("\t\tweight 1\n\t}\n}\n! end", "\t\tweight 1\n\t}\n" + block.replace(" 80 {", " 443 {")
                        + "}\n! end");
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void anAddedVirtualServerFollowsTheLastOne() throws Exception {
        var out = edited(TEXT, "", c -> ConfigEdits.addVirtualServer(c, new VirtualServerDef.Key.Address(
                InetAddress.getByName("192.0.2.50"), 53), VirtualServerDef.Protocol.UDP, "rr", null, null, null));
        assertThat(out).isEqualTo(replaced("\t}\n}\n! end\n", "\t}\n}\n\nvirtual_server 192.0.2.50 53 {\n\tlb_algo rr\n"
                + "\tlb_kind NAT\n\tprotocol UDP\n}\n! end\n"));
    }

    @Test
    void aRemovedVirtualServerTakesItsBlankLineNotTheCommentsAfterIt() throws Exception {
        var out = edited(TEXT, "", c -> ConfigEdits.removeVirtualServer(c, VS443));
        assertThat(out).isEqualTo(TEXT.substring(0, TEXT.indexOf("\nvirtual_server 192.0.2.100 443")) + "! end\n");
        var first = edited(TEXT, "", c -> ConfigEdits.removeVirtualServer(c, VS80));
        assertThat(first).isEqualTo(TEXT.substring(0, TEXT.indexOf("# the web service"))
                + TEXT.substring(TEXT.indexOf("virtual_server 192.0.2.100 443")));
    }

    @Test
    void virtualServerSettingsChangeTheirLinesKeepingComments() throws Exception {
        var out = edited(TEXT, "", c -> ConfigEdits.updateVirtualServer(c, VS80, "rr", VirtualServerDef.LbKind.DR,
                Duration.ofSeconds(60), Duration.ofSeconds(10), null));
        assertThat(out).isEqualTo(replaced("\tdelay_loop 6\n\tlb_algo wrr     ! weighted\n\tlb_kind NAT\n\tprotocol TCP\n",
                "\tdelay_loop 10\n\tlb_algo rr     ! weighted\n\tlb_kind DR\n\tprotocol TCP\n\tpersistence_timeout 60\n"));
        var back = edited(out, "", c -> ConfigEdits.updateVirtualServer(c, VS80, "wrr", VirtualServerDef.LbKind.NAT,
                Duration.ZERO, Duration.ofSeconds(6), null));
        assertThat(back).isEqualTo(TEXT);
    }

    @Test
    void aStatementForOneConfigIdIsNotRewritten() throws Exception {
        var text = TEXT.replace("\t\tweight 1   # keep low\n", "@lb1\t\tweight 1\n@^lb1\t\tweight 4\n");
        var refused = catchThrowableOfType(LosslessEditException.class, () -> edited(text, "lb1",
                c -> ConfigEdits.updateRealServer(c, VS80, "198.51.100.11:80", 5, null)));
        assertThat(refused.reason()).isEqualTo(LosslessEditException.Reason.NOT_WRITABLE);
        assertThat(refused.getMessage()).contains("198.51.100.11:80").contains("config id lb1");
        // the other config id's line is opaque and stays; other edits go through
        var out = edited(text, "lb1", c -> ConfigEdits.updateRealServer(c, VS80, "198.51.100.12:80", 7, null));
        assertThat(out).isEqualTo(text.replace("\t\tweight 2\n", "\t\tweight 7\n"));
    }

    @Test
    void aValueFromAParameterIsNotRewritten() throws Exception {
        var text = "$W=3\n" + TEXT.replace("\t\tweight 1   # keep low\n", "\t\tweight $W\n");
        try {
            ConfigLoader.parse(FILE, text, "");
        } catch (ConfigException e) {
            assumeTrue(false, "this build's reader does not expand $NAME parameters yet: " + e.getMessage());
        }
        var refused = catchThrowableOfType(LosslessEditException.class, () -> edited(text, "",
                c -> ConfigEdits.updateRealServer(c, VS80, "198.51.100.11:80", 5, null)));
        assertThat(refused.reason()).isEqualTo(LosslessEditException.Reason.NOT_WRITABLE);
        assertThat(refused.getMessage()).contains("$NAME parameter").contains("weight $W");
    }

    @Test
    void bytesThatAreNotUtf8SurviveAnEdit() throws Exception {
        var latin = HexFormat.of().parseHex("e9");
        var shiftJis = HexFormat.of().parseHex("90dd92e8");
        var text = TEXT.replace("! end", "! caf" + new String(latin, StandardCharsets.ISO_8859_1) + " "
                + new String(shiftJis, StandardCharsets.ISO_8859_1))
                .replace("# keep low", "# \u00ff\u00fe");
        var out = edited(text, "", c -> ConfigEdits.updateRealServer(c, VS80, "198.51.100.11:80", 5, null));
        assertThat(out).isEqualTo(text.replace("\t\tweight 1   #", "\t\tweight 5   #"));
    }

    @Test
    void theFilesMustHoldTheRunningConfiguration() throws Exception {
        var running = ConfigLoader.parse(FILE, TEXT, "").config();
        var other = TEXT.replace("weight 2", "weight 9").getBytes(StandardCharsets.ISO_8859_1);
        var edit = ConfigEdits.updateRealServer(running, VS80, "198.51.100.11:80", 5, null);
        var refused = catchThrowableOfType(LosslessEditException.class,
                () -> LosslessEditor.write(FILE, Map.of(FILE, other), "", running, edit));
        assertThat(refused.reason()).isEqualTo(LosslessEditException.Reason.CHANGED_ON_DISK);
    }

    @Test
    void anEditLandsInTheIncludedFileThatDefinesTheBlock(@TempDir Path dir) throws Exception {
        var source = Path.of("src/test/resources/config/examples/includes").toAbsolutePath();
        var files = new LinkedHashMap<Path, byte[]>();
        try (Stream<Path> s = Files.walk(source)) {
            for (var p : s.filter(Files::isRegularFile).sorted().toList()) {
                var target = dir.resolve(source.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.copy(p, target);
            }
        }
        var main = dir.resolve("main.conf");
        for (var p : ConfigLoader.files(main, "")) {
            files.put(p, Files.readAllBytes(p));
        }
        var running = ConfigLoader.load(main, "").config();
        var vs = "tcp/192.0.2.71:80";
        var edit = ConfigEdits.addRealServer(running, vs, InetAddress.getByName("192.0.2.73"), null, 2, false);
        var written = LosslessEditor.write(main, files, "", running, edit);
        var lvs = dir.resolve("conf.d/20-lvs.conf");
        assertThat(written.changed().keySet()).containsOnly(lvs);
        assertThat(new String(written.changed().get(lvs), StandardCharsets.UTF_8)).isEqualTo(read(lvs).replace(
                "            connect_timeout 1\n        }\n    }\n", "            connect_timeout 1\n        }\n    }\n"
                        + "    real_server 192.0.2.73 80 {\n        weight 2\n    }\n"));
        var weighed = LosslessEditor.write(main, files, "", running,
                ConfigEdits.updateRealServer(running, vs, "192.0.2.72:80", 4, null));
        assertThat(new String(weighed.changed().get(lvs), StandardCharsets.UTF_8)).isEqualTo(read(lvs).replace(
                "    real_server 192.0.2.72 80 {\n", "    real_server 192.0.2.72 80 {\n        weight 4\n"));
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }
}
