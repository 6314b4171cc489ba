package dev.pharos.agent.script;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/// keepalived 2.2.7's script rules for one configuration: which user each script runs as
/// (`lib/notify.c`: `notify_script_init`, `set_script_uid_gid`, `get_default_script_user`) and
/// whether it may run (`check_script_secure`, `check_security`), with keepalived's log lines.
///
/// - A script given no user runs as `script_user` from `global_defs`; without one, as
///   `keepalived_script` when that user exists, else as the agent's own user — except under
///   `enable_script_security`, where such scripts are refused.
/// - A script is refused when it cannot be found or accessed by its user, or is not executable
///   for its user and group. One that runs as root (uid or gid 0), or is set-uid/set-gid root, is
///   also checked along its path: every directory and the file (symbolic links not followed) must
///   be owned by root, and no directory without the sticky bit, and not the file, may be writable
///   by a group other than root or by others. With `enable_script_security` an unsafe script is
///   refused; without, it runs, and one warning (`SECURITY VIOLATION`) says that scripts run
///   without script security.
/// - Beyond keepalived: a script whose user differs from the agent's is refused when the agent
///   cannot switch users (no `CAP_SETUID`/`CAP_SETGID` to pass on, or no util-linux `setpriv`).
///
/// Not thread-safe: one policy is used by one mapping of a configuration, then [#finish]ed.
public final class ScriptPolicy {

    private static final System.Logger LOG = System.getLogger(ScriptPolicy.class.getName());
    static final String DEFAULT_USER = "keepalived_script";
    private static final String STANDARD_PATH = "/bin:/usr/bin";

    /// What becomes of one script.
    public sealed interface Verdict permits Run, Disabled {
    }

    /// The script runs: `argv` is what to execute (the program resolved, wrapped by [RunAs]).
    public record Run(List<String> argv, Identity as) implements Verdict {
        public Run {
            argv = List.copyOf(argv);
        }
    }

    /// The script does not run; the reason was logged.
    public record Disabled(String reason) implements Verdict {
    }

    private final boolean security;
    private final String scriptUser;
    private final String scriptGroup;
    private final Host host;
    private final String setpriv;
    private final String searchPath;
    private final List<String> messages = new ArrayList<>();
    // one name-service lookup per name and configuration (getent is a process)
    private final Map<String, Optional<int[]>> users = new HashMap<>();
    private final Map<String, Optional<Integer>> groups = new HashMap<>();
    private Identity defaultIdentity;
    private boolean defaultResolved;
    private boolean anyScript;
    private boolean anyInsecure;

    /// @param scriptUser  `script_user` (user), or `null`
    /// @param scriptGroup `script_user`'s group, or `null`
    /// @param setpriv     util-linux `setpriv`, or `null` when it is not installed
    /// @param searchPath  where a bare program name is looked for (keepalived's `PATH`)
    ScriptPolicy(boolean security, String scriptUser, String scriptGroup, Host host, String setpriv, String searchPath) {
        this.security = security;
        this.scriptUser = scriptUser;
        this.scriptGroup = scriptGroup;
        this.host = host;
        this.setpriv = setpriv;
        this.searchPath = searchPath;
    }

    /// The policy for this agent: its own ids and capabilities, `setpriv` and `PATH` from here.
    public static ScriptPolicy forAgent(boolean security, String scriptUser, String scriptGroup) {
        var path = System.getenv("PATH");
        return new ScriptPolicy(security, scriptUser, scriptGroup, Host.current(), RunAs.setpriv(),
                path == null ? STANDARD_PATH : path);
    }

    /// The policy with another host (tests: an agent without capabilities).
    public static ScriptPolicy forHost(boolean security, String scriptUser, String scriptGroup, Host host) {
        var path = System.getenv("PATH");
        return new ScriptPolicy(security, scriptUser, scriptGroup, host, RunAs.setpriv(),
                path == null ? STANDARD_PATH : path);
    }

    /// Every line logged so far, in order (tests and `config.validate` read them).
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /// A notify script (`notify_master`…, `notify`, `notify_up`…, `quorum_up`…): `user`/`group`
    /// from the line itself, `null` for the default. keepalived drops one it cannot run.
    public Verdict notify(String type, List<String> command, String user, String group) {
        var as = identity(user, group, () -> "Invalid user/group for " + type + " script " + command.getFirst()
                + " - ignoring", () -> "Failed to set default user for " + type + " script " + command.getFirst()
                + " - ignoring");
        if (as == null) {
            return new Disabled("no usable user");
        }
        return secure(command, as, null);
    }

    /// A `vrrp_script`: refused scripts are removed from every instance and group that tracks them.
    public Verdict trackScript(String name, List<String> command, String user, String group) {
        var as = identity(user, group, () -> "Unable to set uid/gid for script " + cmd(command),
                () -> "Unable to set default user for vrrp script " + name + " - removing");
        if (as == null) {
            return new Disabled("no usable user");
        }
        return secure(command, as, new String[] {"Disabling track script " + name + " due to insecure",
                "Disabling track script " + name + " since not found/accessible"});
    }

    /// A `MISC_CHECK`'s `misc_path`: a refused checker is removed from its real server.
    public Verdict miscCheck(List<String> command, String user, String group) {
        var as = identity(user, group, () -> "Failed to set uid/gid for misc checker script " + cmd(command)
                + " - removing", () -> "Unable to set default user for misc script " + cmd(command) + " - removing");
        if (as == null) {
            return new Disabled("no usable user");
        }
        return secure(command, as, new String[] {"Disabling misc script " + cmd(command) + " due to insecure",
                "Disabling misc script " + cmd(command) + " since not found/accessible"});
    }

    /// keepalived's closing remark after all scripts of one process were checked; `what` is
    /// `"scripts"` (VRRP) or `"check scripts"` (checker).
    public void finish(String what) {
        if (!security && anyScript) {
            log(Level.WARNING, "SECURITY VIOLATION - " + what + " are being executed but script_security not enabled."
                    + (anyInsecure ? " There are insecure scripts." : ""));
        }
    }

    // ---- who

    private Identity identity(String user, String group, Supplier<String> invalid, Supplier<String> noDefault) {
        if (user != null) {
            var id = lookup(user, group);
            if (id == null) {
                log(Level.WARNING, invalid.get());
            }
            return id;
        }
        var id = defaultIdentity();
        if (id == null) {
            log(Level.WARNING, noDefault.get());
        }
        return id;
    }

    private Identity defaultIdentity() {
        if (!defaultResolved) {
            defaultResolved = true;
            if (scriptUser != null) {
                defaultIdentity = lookup(scriptUser, scriptGroup);
                if (defaultIdentity == null) {
                    log(Level.ERROR, "Error setting global script uid/gid");
                }
            } else {
                defaultIdentity = lookup(DEFAULT_USER, null);
                if (defaultIdentity == null) {
                    if (security) {
                        log(Level.ERROR, "Unable to set default user " + DEFAULT_USER + " for script");
                    } else {
                        defaultIdentity = host.self();
                    }
                }
            }
        }
        return defaultIdentity;
    }

    /// keepalived's `set_uid_gid`: the user's uid and primary gid, the group's gid if given.
    private Identity lookup(String user, String group) {
        var u = users.computeIfAbsent(user, n -> Optional.ofNullable(Accounts.user(n))).orElse(null);
        if (u == null) {
            log(Level.WARNING, "Script user '" + user + "' does not exist");
            return null;
        }
        int gid = u[1];
        if (group != null) {
            var g = groups.computeIfAbsent(group, n -> Optional.ofNullable(Accounts.group(n))).orElse(null);
            if (g == null) {
                log(Level.WARNING, "Script group '" + group + "' does not exist");
                return null;
            }
            gid = g;
        }
        return new Identity(user, u[0], gid);
    }

    // ---- whether

    private static final int INSECURE = 1;
    private static final int INHIBIT = 4;
    private static final int NOT_FOUND = 8;
    private static final int EXECUTABLE = 16;

    /// `check_script_secure`, then the disabling its callers do; `lines` are the track/misc
    /// callers' own "Disabling …" lines (notify scripts are dropped without one).
    private Verdict secure(List<String> command, Identity as, String[] lines) {
        var argv = new ArrayList<>(command);
        int flags = check(argv, as);
        if ((flags & INHIBIT) != 0) {
            if (lines != null) {
                log(Level.ERROR, lines[0]);
            }
            return new Disabled("insecure or not permitted");
        }
        if ((flags & NOT_FOUND) != 0) {
            if (lines != null) {
                log(Level.ERROR, lines[1]);
            }
            return new Disabled("not found or not accessible");
        }
        if ((flags & EXECUTABLE) == 0) {
            return new Disabled("not executable");
        }
        // Pharos: a JVM cannot switch user for one child; setpriv does, given the capabilities.
        if (as.uid() != host.uid() || as.gid() != host.gid()) {
            var missing = new ArrayList<String>();
            if (as.uid() != host.uid() && !host.canSetUid()) {
                missing.add("CAP_SETUID");
            }
            if (!host.canSetGid()) {
                missing.add("CAP_SETGID");
            }
            if (!missing.isEmpty() || setpriv == null) {
                log(Level.ERROR, "Cannot run script " + argv.getFirst() + " as user " + as.name() + " (uid " + as.uid()
                        + ", gid " + as.gid() + "): " + (missing.isEmpty() ? "util-linux setpriv is not installed"
                        : "the agent (uid " + host.uid() + ") lacks " + String.join(" and ", missing)
                        + (host.uid() == 0 ? "" : " in its ambient capabilities")) + " - disabling");
                return new Disabled("cannot switch to user " + as.name());
            }
        }
        return new Run(RunAs.argv(host, as, argv, setpriv), as);
    }

    /// keepalived's `check_script_secure` on `argv` (its program may be replaced by the resolved path).
    private int check(List<String> argv, Identity as) {
        var program = argv.getFirst();
        if (program.indexOf('/') < 0) {
            var found = searchPath(program, as);
            if (found == null) {
                return NOT_FOUND;
            }
            argv.set(0, found);
            program = found;
        }
        var denied = deniedTo(Path.of(program), as);
        if (denied != null) {
            log(Level.WARNING, "Script " + program + " cannot be accessed - " + denied);
            return NOT_FOUND;
        }
        Path real;
        try {
            real = Path.of(program).toRealPath();
        } catch (IOException e) {
            log(Level.WARNING, "Script " + program + " cannot be accessed - " + strerror(e));
            return NOT_FOUND;
        }
        String realFile = null;
        var resolved = real.toString();
        if (!program.equals(resolved)) {
            var origName = program.substring(program.lastIndexOf('/') + 1);
            var realName = resolved.substring(resolved.lastIndexOf('/') + 1);
            // keepalived keeps the name the script was called by (programs may act on argv[0])
            // when that name, next to the real file, is the same file
            if (!origName.equals(realName)) {
                var kept = resolved.substring(0, resolved.lastIndexOf('/') + 1) + origName;
                if (sameFile(kept, resolved)) {
                    realFile = resolved;
                    resolved = kept;
                }
            }
            argv.set(0, resolved);
            program = resolved;
        }
        Map<String, Object> file;
        try {
            file = Files.readAttributes(Path.of(realFile != null ? realFile : program), "unix:mode,uid,gid");
        } catch (IOException e) {
            log(Level.WARNING, "Unable to access script `" + program + "` - disabling");
            return NOT_FOUND;
        }
        anyScript = true;
        int flags = 0;
        int mode = (int) file.get("mode");
        int owner = (int) file.get("uid");
        int fileGroup = (int) file.get("gid");
        boolean protect = false;
        if (executable(mode, owner, fileGroup, as)) {
            flags |= EXECUTABLE;
            protect = as.uid() == 0 || as.gid() == 0
                    || (owner == 0 && (mode & 0100) != 0 && (mode & 04000) != 0)
                    || (fileGroup == 0 && (mode & 010) != 0 && (mode & 02000) != 0);
        } else {
            log(Level.WARNING, "WARNING - script '" + program + "' is not executable for uid:gid " + as.uid() + ":"
                    + as.gid() + " - disabling.");
        }
        if (!protect) {
            return flags;
        }
        flags |= pathSecurity(program);
        if (realFile != null) {
            flags |= pathSecurity(realFile);
        }
        return flags;
    }

    /// keepalived's `check_security`: each directory from `/` down and the file itself, links not
    /// followed; the first unsafe one decides.
    private int pathSecurity(String filename) {
        var prefixes = new ArrayList<String>();
        for (int i = filename.indexOf('/'); i >= 0; i = filename.indexOf('/', i + 1)) {
            prefixes.add(i == 0 ? "/" : filename.substring(0, i));
        }
        prefixes.add(filename);
        for (int k = 0; k < prefixes.size(); k++) {
            var p = prefixes.get(k);
            boolean last = k == prefixes.size() - 1;
            Map<String, Object> a;
            try {
                a = Files.readAttributes(Path.of(p), "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                log(Level.WARNING, "check_script_secure could not find script '" + filename + "' - disabling");
                return NOT_FOUND;
            }
            int mode = (int) a.get("mode");
            int type = mode & 0170000;
            boolean dir = type == 0040000;
            boolean regular = type == 0100000;
            boolean link = type == 0120000;
            if ((!last && !dir) || (last && !regular && !link)) {
                log(Level.WARNING, "Wrong file type found in script path '" + filename + "'.");
                return INHIBIT;
            }
            int owner = (int) a.get("uid");
            int group = (int) a.get("gid");
            boolean writable = (group != 0 && (mode & 020) != 0) || (mode & 02) != 0;
            if (owner != 0 || (((dir && (mode & 01000) == 0) || regular) && writable)) {
                log(Level.WARNING, "Unsafe permissions found for script '" + filename + "'"
                        + (security ? " - disabling" : "") + ".");
                anyInsecure = true;
                return INSECURE | (security ? INHIBIT : 0);
            }
        }
        return 0;
    }

    /// keepalived's `find_path`: the first regular file executable by the script's user in `PATH`.
    private String searchPath(String name, Identity as) {
        boolean deniedOne = false;
        for (var dir : searchPath.split(":", -1)) {
            var candidate = dir.isEmpty() ? name : dir + "/" + name;
            var p = Path.of(candidate);
            if (Files.exists(p)) {
                try {
                    var a = Files.readAttributes(p, "unix:mode,uid,gid");
                    int mode = (int) a.get("mode");
                    if ((mode & 0170000) == 0100000 && executable(mode, (int) a.get("uid"), (int) a.get("gid"), as)
                            && deniedTo(p, as) == null) {
                        log(Level.INFO, "WARNING - script `" + name + "` resolved by path search to `" + candidate
                                + "`. Please specify full path.");
                        return candidate;
                    }
                    deniedOne = true;
                } catch (IOException e) {
                    deniedOne = true;
                }
            }
        }
        log(Level.WARNING, (deniedOne ? "Permissions failure for script " : "Cannot find script ") + name
                + " in path - disabling");
        return null;
    }

    /// keepalived's `is_executable`: by owner, group or others, root by any x bit.
    private static boolean executable(int mode, int owner, int group, Identity as) {
        return (as.uid() == 0 && (mode & 0111) != 0)
                || (as.uid() == owner && (mode & 0100) != 0)
                || (as.uid() != owner && ((as.gid() == group && (mode & 010) != 0)
                        || (as.gid() != group && (mode & 01) != 0)));
    }

    /// keepalived resolves the path with the script's user as effective user: a directory on the
    /// way that this user may not search makes the script inaccessible. `null` when reachable.
    private static String deniedTo(Path program, Identity as) {
        if (as.uid() == 0) {
            return null;
        }
        var abs = program.toAbsolutePath();
        for (var dir = abs.getParent(); dir != null; dir = dir.getParent()) {
            try {
                var a = Files.readAttributes(dir, "unix:mode,uid,gid");
                int mode = (int) a.get("mode");
                int owner = (int) a.get("uid");
                int group = (int) a.get("gid");
                boolean search = as.uid() == owner ? (mode & 0100) != 0
                        : as.gid() == group ? (mode & 010) != 0 : (mode & 01) != 0;
                if (!search) {
                    return "Permission denied";
                }
            } catch (IOException e) {
                return strerror(e);
            }
        }
        return null;
    }

    private static boolean sameFile(String a, String b) {
        try {
            return Files.isSameFile(Path.of(a), Path.of(b));
        } catch (IOException e) {
            return false;
        }
    }

    private static String strerror(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "No such file or directory";
            case AccessDeniedException d -> "Permission denied";
            default -> e.getMessage();
        };
    }

    private static String cmd(List<String> command) {
        return String.join(" ", command.stream().map(w -> "'" + w + "'").toList());
    }

    private void log(Level level, String message) {
        messages.add(message);
        LOG.log(level, message);
    }
}
