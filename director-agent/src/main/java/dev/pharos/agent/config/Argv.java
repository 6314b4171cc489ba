package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.List;

/// Splits a command line from the configuration (`script`, `notify_*`, `misc_path`) into argv as
/// keepalived does: words separated by blanks, `"…"` and `'…'` quoting, `\` escaping the next
/// character. The command then runs without a shell.
public final class Argv {

    private Argv() {
    }

    public static List<String> split(String commandLine) {
        var out = new ArrayList<String>();
        var word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < commandLine.length(); i++) {
            char c = commandLine.charAt(i);
            if (c == '\\' && i + 1 < commandLine.length() && quote != '\'') {
                word.append(commandLine.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (c == ' ' || c == '\t') {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return List.copyOf(out);
    }
}
