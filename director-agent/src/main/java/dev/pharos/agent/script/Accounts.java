package dev.pharos.agent.script;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/// User and group names to ids through the system's name service (`getent`, so LDAP and the
/// like count as they do for keepalived's `getpwnam_r`). A name is looked up as a name only:
/// `1000` is not uid 1000, as with `getpwnam`.
final class Accounts {

    private Accounts() {
    }

    /// The user's uid and primary gid, or `null` when there is no such user.
    static int[] user(String name) {
        var f = entry("passwd", name);
        return f == null || f.length < 4 ? null : new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
    }

    /// The group's gid, or `null` when there is no such group.
    static Integer group(String name) {
        var f = entry("group", name);
        return f == null || f.length < 3 ? null : Integer.parseInt(f[2]);
    }

    private static String[] entry(String database, String name) {
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf('\n') >= 0) {
            return null;
        }
        try {
            var p = new ProcessBuilder("getent", database, "--", name)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            var out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("getent " + database + " " + name + " did not answer within 10 s");
            }
            if (p.exitValue() != 0 || out.isEmpty()) {
                return null;
            }
            var f = out.lines().findFirst().orElse("").split(":", -1);
            // getent also looks up numbers as ids; keepalived's getpwnam/getgrnam do not
            return f[0].equals(name) ? f : null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot look up " + database + " entry " + name + ": " + e.getMessage()
                    + " (is getent installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted looking up " + name, e);
        }
    }
}
