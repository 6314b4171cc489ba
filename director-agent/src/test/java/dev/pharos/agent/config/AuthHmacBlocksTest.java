package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.agent.daemon.VrrpMapping;
import dev.pharos.agent.vrrp.AuthHmacSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/// `auth_hmac` blocks as keepalived 2.4.3 reads them (vrrp_parser.c `vrrp_auth_hmac_*_handler`)
/// and completes them (vrrp.c `vrrp_complete_instance`).
class AuthHmacBlocksTest {

    private static final String HEX_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final String ASCII_KEY = "an-ascii-key-of-thirty-two-bytes";

    @TempDir
    Path dir;

    private static String instance(String body) {
        return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 1\n" + body
                + "    virtual_ipaddress {\n        192.0.2.10/24\n    }\n}\n";
    }

    private static String hmac(String lines) {
        return instance("    auth_hmac {\n" + lines.indent(8) + "    }\n");
    }

    private static LoadedConfig load(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("t.conf"), text, "");
    }

    private static List<String> diagnostics(String text) {
        try {
            return load(text).warnings().stream().map(Diagnostic::toString).toList();
        } catch (ConfigException e) {
            return e.diagnostics().stream().map(Diagnostic::toString).toList();
        }
    }

    private static AuthHmacSettings settings(String text) throws ConfigException {
        return VrrpMapping.map(load(text).config()).instances().getFirst().authHmac();
    }

    @Test
    void readsKeysInlineAndAppliesKeepalivedsDefaults() throws ConfigException {
        var text = hmac("key 1 hex:" + HEX_KEY + "\nkey 2 " + ASCII_KEY + "\nactive_key 2");
        var def = load(text).config().vrrpInstances().getFirst().authHmac();
        assertThat(def.keys()).extracting(VrrpInstanceDef.HmacKey::id).containsExactly(1, 2);
        assertThat(def.keys().getFirst().material()).isEqualTo(HexFormat.of().parseHex(HEX_KEY));
        assertThat(def.keys().get(1).material()).isEqualTo(ASCII_KEY.getBytes(StandardCharsets.US_ASCII));
        var s = settings(text);
        assertThat(s.mode()).isEqualTo(AuthHmacSettings.Mode.ENFORCE);
        assertThat(s.antiReplay()).isEqualTo(AuthHmacSettings.AntiReplay.TIME);
        assertThat(s.timeWindow()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.activeKey()).isEqualTo(2);
        assertThat(diagnostics(text)).isEmpty();
    }

    @Test
    void readsEveryOptionAndTheWindowFollowsAdvertInt() throws ConfigException {
        var s = settings(hmac("key 9 hex:" + HEX_KEY + "\nactive_key 9\nmode receive-only\nanti_replay monotonic"));
        assertThat(s.mode()).isEqualTo(AuthHmacSettings.Mode.RECEIVE_ONLY);
        assertThat(s.antiReplay()).isEqualTo(AuthHmacSettings.AntiReplay.MONOTONIC);
        assertThat(settings(hmac("key 9 hex:" + HEX_KEY + "\nactive_key 9\nmode permissive\ntime_window 30")))
                .extracting(AuthHmacSettings::mode, AuthHmacSettings::timeWindow)
                .containsExactly(AuthHmacSettings.Mode.PERMISSIVE, Duration.ofSeconds(30));
        var slow = instance("    advert_int 4\n    auth_hmac {\n        key 9 hex:" + HEX_KEY
                + "\n        active_key 9\n    }\n");
        assertThat(settings(slow).timeWindow()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void readsAKeyFileOfEitherFormDroppingTheLineEnd() throws IOException, ConfigException {
        var hexFile = dir.resolve("k1");
        Files.writeString(hexFile, "hex:" + HEX_KEY + "\n");
        Files.setPosixFilePermissions(hexFile, PosixFilePermissions.fromString("rw-------"));
        var asciiFile = dir.resolve("k2");
        Files.writeString(asciiFile, ASCII_KEY + "\r\n");
        Files.setPosixFilePermissions(asciiFile, PosixFilePermissions.fromString("rw-------"));
        var text = hmac("key 1 file:" + hexFile + "\nkey 2 file:" + asciiFile + "\nactive_key 1");
        var keys = load(text).config().vrrpInstances().getFirst().authHmac().keys();
        assertThat(keys.getFirst().material()).isEqualTo(HexFormat.of().parseHex(HEX_KEY));
        assertThat(keys.get(1).material()).isEqualTo(ASCII_KEY.getBytes(StandardCharsets.US_ASCII));
        assertThat(keys.getFirst().toString()).contains("file:").doesNotContain("0001");
        assertThat(diagnostics(text)).isEmpty();
    }

    @Test
    void aKeyFileOpenToOthersIsReported() throws IOException {
        var file = dir.resolve("k");
        Files.writeString(file, ASCII_KEY);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(diagnostics(hmac("key 1 file:" + file + "\nactive_key 1")))
                .containsExactly("t.conf:5:15: warning: auth_hmac key file '" + file + "' is open to group or others;"
                        + " keepalived reports this as a security error: chmod 600 it");
    }

    @Test
    void writingTheModelBackReproducesIt() throws ConfigException, IOException {
        var file = dir.resolve("k");
        Files.writeString(file, ASCII_KEY);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        var text = hmac("key 1 hex:" + HEX_KEY + "\nkey 2 file:" + file + "\nactive_key 2\ntime_window 9"
                + "\nanti_replay monotonic\nmode permissive");
        var config = load(text).config();
        var written = ConfigWriter.write(config);
        assertThat(written).contains("auth_hmac {", "key 2 file:" + file, "mode permissive", "anti_replay monotonic");
        assertThat(load(written).config()).isEqualTo(config);
        var json = ConfigJson.toJson(config);
        assertThat(json).contains("file:" + file).doesNotContain("material");
        assertThat(ConfigJson.fromJson(json, Path.of("t.json"))).isEqualTo(config);
    }

    @Test
    void aSecondBlockGoesOnWhereTheFirstLeftOff() throws ConfigException {
        var text = instance("    auth_hmac {\n        key 1 hex:" + HEX_KEY + "\n    }\n"
                + "    auth_hmac {\n        active_key 1\n    }\n");
        assertThat(settings(text).activeKey()).isEqualTo(1);
        assertThat(diagnostics(text)).containsExactly("t.conf:7:5: warning: auth_hmac is given again in vrrp_instance"
                + " VI_1 (first at line 4); keepalived reads its lines into the same settings, and so does Pharos");
    }

    // --- refusals ---------------------------------------------------------------------------

    @Test
    void refusesAShortOrLongKey() {
        assertThat(diagnostics(hmac("key 1 short-key\nactive_key 1"))).contains("t.conf:5:15: error: auth_hmac key 1"
                + " is 9 bytes; keys are 32–64 bytes (hex: gives raw bytes, two digits each)");
        assertThat(diagnostics(hmac("key 1 hex:" + HEX_KEY.repeat(3) + "\nactive_key 1")))
                .anyMatch(d -> d.contains("is 96 bytes"));
    }

    @Test
    void refusesBadHexWithoutShowingIt() {
        assertThat(diagnostics(hmac("key 1 hex:" + HEX_KEY.substring(1) + "\nactive_key 1")))
                .contains("t.conf:5:15: error: auth_hmac key 'hex:…' is not hex: an even number of digits 0-9, a-f"
                        + " is expected after hex:");
    }

    @Test
    void refusesADuplicateKeyId() {
        assertThat(diagnostics(hmac("key 1 hex:" + HEX_KEY + "\nkey 1 " + ASCII_KEY + "\nactive_key 1")))
                .contains("t.conf:6:13: error: auth_hmac key id 1 is given twice in vrrp_instance VI_1");
    }

    @Test
    void refusesAKeyIdOutOfRangeOrAKeyWithoutValue() {
        assertThat(diagnostics(hmac("key 0 hex:" + HEX_KEY + "\nactive_key 0"))).anyMatch(d -> d.contains("auth_hmac key id 0"));
        assertThat(diagnostics(hmac("key 1\nactive_key 1")))
                .contains("t.conf:5:9: error: auth_hmac key needs an id (1–255) and a value");
    }

    @Test
    void refusesAnUnreadableKeyFile() {
        var missing = dir.resolve("absent");
        assertThat(diagnostics(hmac("key 1 file:" + missing + "\nactive_key 1")))
                .anyMatch(d -> d.startsWith("t.conf:5:15: error: auth_hmac key file '" + missing + "' cannot be read"));
    }

    @Test
    void refusesAMissingOrUnknownActiveKey() {
        assertThat(diagnostics(hmac("key 1 hex:" + HEX_KEY))).contains("t.conf:4:5: error: auth_hmac in vrrp_instance"
                + " VI_1 needs an active_key (the id of the key that signs)");
        assertThat(diagnostics(hmac("key 1 hex:" + HEX_KEY + "\nactive_key 2"))).contains("t.conf:4:5: error: auth_hmac"
                + " in vrrp_instance VI_1: active_key 2 is not one of its keys [1]; keepalived 2.4.3 would run without"
                + " auth_hmac");
    }

    @Test
    void refusesAnUnknownModeOrAntiReplayOrWindow() {
        var key = "key 1 hex:" + HEX_KEY + "\nactive_key 1\n";
        assertThat(diagnostics(hmac(key + "mode strict"))).contains("t.conf:7:14: error: auth_hmac mode must be"
                + " enforce, permissive or receive-only, not 'strict'");
        assertThat(diagnostics(hmac(key + "anti_replay clock"))).contains("t.conf:7:21: error: auth_hmac anti_replay"
                + " must be time or monotonic, not 'clock'");
        assertThat(diagnostics(hmac(key + "time_window 301"))).anyMatch(d -> d.contains("time_window 301 is outside 1–300"));
        assertThat(diagnostics(hmac(key + "time_window 0"))).anyMatch(d -> d.contains("time_window 0 is outside 1–300"));
    }

    @Test
    void refusesAuthHmacWithTheAuthenticationBlock() {
        var text = instance("    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }\n"
                + "    auth_hmac {\n        key 1 hex:" + HEX_KEY + "\n        active_key 1\n    }\n");
        assertThat(diagnostics(text)).anyMatch(d -> d.contains("auth_hmac replaces the authentication block"));
    }

    @Test
    void strictModeRequiresEnforce() {
        var text = "global_defs {\n    vrrp_strict\n}\n" + instance("    version 3\n    auth_hmac {\n        key 1 hex:"
                + HEX_KEY + "\n        active_key 1\n        mode permissive\n    }\n");
        assertThat(diagnostics(text)).anyMatch(d -> d.contains("strict mode (vrrp_strict or strict_mode) requires"
                + " auth_hmac mode enforce"));
        var enforce = "global_defs {\n    vrrp_strict\n}\n" + instance("    version 3\n    auth_hmac {\n        key 1 hex:"
                + HEX_KEY + "\n        active_key 1\n    }\n");
        assertThat(diagnostics(enforce)).noneMatch(d -> d.contains("auth_hmac"));
    }

    @Test
    void anUnknownWordInTheBlockIsAnError() {
        assertThat(diagnostics(hmac("key 1 hex:" + HEX_KEY + "\nactive_key 1\nauth_type PASS")))
                .anyMatch(d -> d.contains("auth_type") && d.contains("error"));
    }
}
