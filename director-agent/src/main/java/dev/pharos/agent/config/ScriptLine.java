package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.List;

/// A notify line's values as keepalived reads them (`lib/notify.c`, `notify_script_init` and
/// `set_script_params_array`): the line is split into values ([Argv]); the first value is the
/// command, split again into the program and its arguments; the second, if any, is the user and
/// the third the group the script runs as. So `notify_master "/x/notify.sh arg" nobody` runs
/// `/x/notify.sh arg` as `nobody`, and `notify_master /x/notify.sh arg` runs `/x/notify.sh` as a
/// user named `arg`. The model keeps such a line in its written form (see [#format]), so the
/// writer emits it unchanged and keepalived reads the same three values back.
///
/// @param command the program and its arguments (never empty)
/// @param user    the user to run as, `null` for the default (`script_user`, else `keepalived_script`)
/// @param group   the group to run as, `null` for the user's primary group
public record ScriptLine(List<String> command, String user, String group) {

    public ScriptLine {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("a script line needs a command");
        }
        if (user == null && group != null) {
            throw new IllegalArgumentException("a script group needs a user");
        }
    }

    /// Reads a notify value kept by the model (the line's values as written in the file).
    public static ScriptLine parse(String values) {
        var slots = Argv.split(values);
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("a script line needs a command");
        }
        var command = Argv.split(slots.getFirst());
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command of '" + values + "' is empty");
        }
        return new ScriptLine(command, slots.size() > 1 ? slots.get(1) : null, slots.size() > 2 ? slots.get(2) : null);
    }

    /// keepalived's values (command line, user, group) written so that both keepalived and Pharos
    /// read each back as one value: bare when it is a plain word, else in double quotes with `\` and
    /// `"` escaped.
    static String format(List<String> slots) {
        var out = new ArrayList<String>();
        slots.forEach(s -> out.add(word(s)));
        return String.join(" ", out);
    }

    /// One value, quoted unless it is a plain word for both keepalived's splitter and Pharos's lexer.
    static String word(String s) {
        if (s.isEmpty() || s.chars().anyMatch(c -> c <= ' ' || c == '"' || c == '\'' || c == '\\' || c == '{'
                || c == '}' || c == '!' || c == '#' || c == 0x7f)) {
            return quoted(s);
        }
        return s;
    }

    /// A value in double quotes; one holding a control character (it came from an escape such as
    /// `\n`) is written unquoted with octal escapes instead, since a quoted line break would end
    /// the line and Pharos's lexer keeps escapes other than `\"` and `\\` inside quotes literally.
    static String quoted(String s) {
        if (s.chars().noneMatch(c -> c < ' ' || c == 0x7f)) {
            return Values.quote(s);
        }
        var sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 0x80 || "/._-+=:,@%^~".indexOf(c) >= 0 || c > 0xff) {
                sb.append(c);
            } else {
                sb.append(String.format("\\%03o", (int) c));
            }
        }
        return sb.toString();
    }
}
