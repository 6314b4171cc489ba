package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/// What real keepalived 2.2.7 said of a file under `keepalived -t`: whether it accepts it, and its
/// messages sorted into errors (it cannot run the file, or runs it without something the file
/// asks for) and advisories (it runs the file as written).
///
/// The exit code alone cannot tell: 2.2.7's `config_test_exit` (keepalived/core/main.c) returns 4
/// for the categories that stop keepalived (`CONFIG_FILE_NOT_FOUND`, `CONFIG_BAD_IF`,
/// `CONFIG_FATAL` of lib/parser.h), 6 for script security, and 5 for every other category
/// `report_config_error` (lib/parser.c) was called with, where almost every call, warnings
/// included, passes `CONFIG_GENERAL_ERROR`. Messages logged with `log_message` (script checks in
/// lib/notify.c `check_script_secure`, includes that match nothing in lib/parser.c) leave the
/// exit code 0. So: exit 0 accepts, exit 4 rejects, and otherwise each message is classified by
/// its form — see [#isAdvisory(String)].
///
/// @param exitCode  keepalived's exit code (-1 when it did not finish in time)
/// @param errors    messages that make the file rejected, in order, without their `(FILE: Line N)` prefix
/// @param advisories the other messages
record KeepalivedVerdict(int exitCode, List<String> errors, List<String> advisories) {

    /// keepalived's exit code when a message of a category that stops it was reported.
    static final int EXIT_CANNOT_RUN = 4;

    /// `(FILE: Line N) ` or `(Line N) `, which lib/parser.c's `vreport_config_error` puts first.
    private static final Pattern LINE_PREFIX = Pattern.compile("^\\((?:[^()]*: )?Line (\\d+)\\)\\s*");
    /// `(VI_1) `, the instance or block name many handlers put first.
    private static final Pattern NAME_PREFIX = Pattern.compile("^\\([^()]*\\)\\s*");

    KeepalivedVerdict {
        errors = List.copyOf(errors);
        advisories = List.copyOf(advisories);
    }

    boolean accepts() {
        return exitCode == 0 || (exitCode != EXIT_CANNOT_RUN && exitCode != -1 && errors.isEmpty());
    }

    /// The first message that made keepalived reject the file, or why it did.
    String firstError() {
        if (!errors.isEmpty()) {
            return errors.getFirst();
        }
        return exitCode == -1 ? "keepalived did not finish" : "keepalived exited " + exitCode + " without a message";
    }

    /// Classifies `keepalived -t` output. keepalived prints a message once per process that reads
    /// the configuration (with and without the file name), so each `(line, message)` is kept once.
    static KeepalivedVerdict of(int exitCode, String output) {
        var seen = new LinkedHashSet<String>();
        var errors = new ArrayList<String>();
        var advisories = new ArrayList<String>();
        for (var raw : output.lines().toList()) {
            if (raw.isBlank()) {
                continue;
            }
            var prefix = LINE_PREFIX.matcher(raw);
            var found = prefix.find();
            var line = found ? prefix.group(1) : "";
            var message = (found ? raw.substring(prefix.end()) : raw).strip();
            if (!seen.add(line + "\u0000" + message)) {
                continue;
            }
            var shown = line.isEmpty() ? message : "line " + line + ": " + message;
            if (exitCode != 0 && !isAdvisory(message)) {
                errors.add(shown);
            } else {
                advisories.add(shown);
            }
        }
        return new KeepalivedVerdict(exitCode, errors, advisories);
    }

    /// A message after which keepalived runs the configuration as written, read from the forms
    /// its sources give such messages:
    ///
    /// - a warning: the text starts with "warning" (`report_config_error` calls in
    ///   keepalived/vrrp/vrrp_parser.c, vrrp_data.c, check/check_data.c…) — optionally after an
    ///   instance name in parentheses;
    /// - a deprecation ("… is deprecated", "Please use …": `CONFIG_DEPRECATED` and its kin);
    /// - a script keepalived disables at run time ("… - disabling", "Please add a #! shebang",
    ///   lib/notify.c `check_script_secure`): the file is fine, the script is not there;
    /// - a script security notice ("SECURITY VIOLATION", keepalived/core/main.c);
    /// - a default keepalived applies and tells of ("This is probably not what you want",
    ///   "No VIP specified", "should be link-local multicast": `CONFIG_WARNING` calls);
    /// - an initial state keepalived corrects ("Initial state master is incompatible with AH
    ///   authentication - clearing", "State MASTER must match being address owner":
    ///   keepalived/vrrp/vrrp.c `vrrp_complete_instance`): keepalived runs the instance with all
    ///   the file gives it and only starts it in the other state, which the VRRP election settles
    ///   within one master-down interval; Pharos starts it the same way and warns ([StartingState]);
    /// - an include that reads nothing ("Config files missing", "No config files matched":
    ///   lib/parser.c, logged, not reported).
    static boolean isAdvisory(String message) {
        var text = NAME_PREFIX.matcher(message.strip()).replaceFirst("").toLowerCase(Locale.ROOT);
        return text.startsWith("warning")
                || text.contains("deprecated")
                || text.startsWith("please use")
                || text.startsWith("please add")
                || text.matches(".*\\bdisabling\\.?$")
                || text.startsWith("security violation")
                || text.contains("this is probably not what you want")
                || text.startsWith("no vip specified")
                || text.contains("should be link-local multicast")
                || text.startsWith("initial state master is incompatible with ah authentication")
                || text.startsWith("state master must match being address owner")
                || text.startsWith("config files missing")
                || text.startsWith("no config files matched");
    }
}
