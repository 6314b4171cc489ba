package dev.pharos.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

/// What an instance's `auth_hmac` blocks say (keepalived 2.4.2 and later, `vrrp_parser.c`
/// `vrrp_auth_hmac_*_handler`): keys, `active_key`, `time_window`, `anti_replay` and `mode`.
///
/// As keepalived does, a second block goes on where the first left off, and a key value is read
/// when the line is: `hex:` then hex digits for raw bytes, `file:PATH` for a file holding either
/// form (the secret stays out of the configuration), anything else as the ASCII bytes.
final class AuthHmacBlocks {

    /// A key file holds at most this much (keepalived's buffer: `hex:`, 128 digits, slack).
    private static final int KEY_FILE_MAX = 4 + 64 * 2 + 8 - 1;
    private static final int KEY_MIN = 32;
    private static final int KEY_MAX = 64;

    private Position at;
    private final List<VrrpInstanceDef.HmacKey> keys = new ArrayList<>();
    private Integer activeKey;
    private Integer timeWindow;
    private VrrpInstanceDef.AntiReplay antiReplay;
    private VrrpInstanceDef.HmacMode mode;

    /// Reads one `auth_hmac { … }` block into what was read before.
    void read(Values values, Node n, String where) {
        if (!Structure.block(values, n, 0)) {
            return;
        }
        if (at != null) {
            values.warning(n.position(), "auth_hmac is given again in " + where + " (first at line " + at.line()
                    + "); keepalived reads its lines into the same settings, and so does Pharos");
        } else {
            at = n.position();
        }
        new BlockReader(values, "auth_hmac", Keywords.AUTH_HMAC)
                .each("key", c -> key(values, c, where))
                .on("active_key", c -> activeKey = values.integer(c, 1, 255))
                .on("time_window", c -> timeWindow = values.integer(c, 1, 300))
                .on("anti_replay", c -> {
                    var t = values.string(c);
                    if (t != null) {
                        switch (t) {
                            case "time" -> antiReplay = VrrpInstanceDef.AntiReplay.TIME;
                            case "monotonic" -> antiReplay = VrrpInstanceDef.AntiReplay.MONOTONIC;
                            default -> values.error(c.args().getFirst().position(),
                                    "auth_hmac anti_replay must be time or monotonic, not '" + t + "'");
                        }
                    }
                })
                .on("mode", c -> {
                    var t = values.string(c);
                    if (t != null) {
                        var m = Arrays.stream(VrrpInstanceDef.HmacMode.values())
                                .filter(x -> x.keyword().equals(t)).findFirst();
                        if (m.isPresent()) {
                            mode = m.get();
                        } else {
                            values.error(c.args().getFirst().position(),
                                    "auth_hmac mode must be enforce, permissive or receive-only, not '" + t + "'");
                        }
                    }
                })
                .read(n);
    }

    private void key(Values values, Node c, String where) {
        if (c.isBlock() || c.args().size() < 2) {
            values.error(c.position(), "auth_hmac key needs an id (1–255) and a value");
            return;
        }
        var id = values.integer(c.args().getFirst(), "auth_hmac key id", 1, 255);
        if (id == null) {
            return;
        }
        var value = c.args().get(1);
        byte[] material;
        try {
            material = material(value.text());
        } catch (IllegalArgumentException e) {
            values.error(value.position(), e.getMessage());
            return;
        }
        if (value.text().startsWith("file:")) {
            warnIfOpen(values, value, value.text().substring(5));
        }
        if (material.length < KEY_MIN || material.length > KEY_MAX) {
            values.error(value.position(), "auth_hmac key " + id + " is " + material.length + " bytes; keys are "
                    + KEY_MIN + "–" + KEY_MAX + " bytes (hex: gives raw bytes, two digits each)");
            return;
        }
        if (keys.stream().anyMatch(k -> k.id() == id)) {
            values.error(c.args().getFirst().position(), "auth_hmac key id " + id + " is given twice in " + where);
            return;
        }
        keys.add(new VrrpInstanceDef.HmacKey(id, value.text(), material));
    }

    /// The key bytes a `key` line's value gives, as keepalived reads them: `file:PATH` for a file
    /// holding either form below, a trailing line end dropped (`vrrp_auth_hmac_read_key_file`);
    /// `hex:` and hex digits; else the text's bytes (`vrrp_auth_hmac_decode_key`). An
    /// [IllegalArgumentException] says why there are none, without showing the secret.
    static byte[] material(String value) {
        if (!value.startsWith("file:")) {
            return decode(value);
        }
        var file = value.substring(5);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (IOException | InvalidPathException e) {
            throw new IllegalArgumentException("auth_hmac key file '" + file + "' cannot be read: " + e.getMessage(), e);
        }
        if (bytes.length > KEY_FILE_MAX) {
            throw new IllegalArgumentException("auth_hmac key file '" + file + "' is too large (" + bytes.length
                    + " bytes, at most " + KEY_FILE_MAX + ")");
        }
        int n = bytes.length;
        while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
            n--;
        }
        return decode(new String(bytes, 0, n, StandardCharsets.UTF_8));
    }

    private static byte[] decode(String text) {
        if (!text.startsWith("hex:")) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return HexFormat.of().parseHex(text.substring(4));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("auth_hmac key '" + redacted(text) + "' is not hex: an even number of"
                    + " digits 0-9, a-f is expected after hex:", e);
        }
    }

    /// keepalived reports group or world access to a key file as a security error.
    private static void warnIfOpen(Values values, Token at, String file) {
        try {
            var open = EnumSet.copyOf(Files.getPosixFilePermissions(Path.of(file)));
            open.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE));
            if (!open.isEmpty()) {
                values.warning(at.position(), "auth_hmac key file '" + file + "' is open to group or others;"
                        + " keepalived reports this as a security error: chmod 600 it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to say about the permissions.
        }
    }

    /// A key value in a message: never the secret itself.
    private static String redacted(String text) {
        return text.startsWith("hex:") ? "hex:…" : "…";
    }

    /// The instance's `auth_hmac` once every block is read; keepalived disables the extension
    /// when `active_key` names no key, reported as an error here.
    VrrpInstanceDef.AuthHmac complete(Values values, String where) {
        if (at == null) {
            return null;
        }
        if (activeKey == null) {
            values.error(at, "auth_hmac in " + where + " needs an active_key (the id of the key that signs)");
            return null;
        }
        if (keys.stream().noneMatch(k -> k.id() == activeKey)) {
            values.error(at, "auth_hmac in " + where + ": active_key " + activeKey + " is not one of its keys "
                    + keys.stream().map(VrrpInstanceDef.HmacKey::id).toList()
                    + "; keepalived 2.4.3 would run without auth_hmac");
            return null;
        }
        return new VrrpInstanceDef.AuthHmac(keys, activeKey, timeWindow, antiReplay, mode);
    }
}
