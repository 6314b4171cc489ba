package dev.pharos.agent.cli;

import dev.pharos.agent.config.ConfigException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/// `check-config -f FILE`: exit 0 when the configuration is valid (warnings on stderr),
/// else `FILE:LINE:COL: error: …` lines on stderr and exit 1.
@Command(name = "check-config", description = "Check a keepalived.conf (or its JSON form) and report every problem.")
final class CheckConfigCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "configuration file")
    Path file;

    @Option(names = {"-i", "--config-id"}, paramLabel = "ID",
            description = "keepalived's config id for @ID lines and $${_INSTANCE} (default: the host name up to its "
                    + "first dot)")
    String configId;

    @Override
    public Integer call() {
        return check(file, configId, spec.commandLine().getErr());
    }

    private static int check(Path file, String configId, PrintWriter err) {
        try {
            var loaded = ConfigFiles.load(file, configId);
            ConfigFiles.print(err, loaded.warnings());
            return 0;
        } catch (ConfigException e) {
            ConfigFiles.print(err, e.diagnostics());
            return 1;
        }
    }

    /// A check-config command line in the plain forms scripts and editors write.
    ///
    /// @param configId null for keepalived's default
    record Direct(Path file, String configId) {

        /// Runs the check as picocli would, with its answer to a bug (one line, exit 2).
        int run(PrintWriter err) {
            try {
                return check(file, configId, err);
            } catch (RuntimeException e) {
                err.println(Main.internalError(e));
                err.flush();
                return 2;
            }
        }

        /// Runs the check writing to the process's stderr.
        int run() {
            return run(new PrintWriter(new OutputStreamWriter(System.err, System.err.charset()), true));
        }
    }

    /// `args` as a [Direct] check, without picocli: editors and scripts run check-config on every
    /// save, and picocli first builds its model of every command by reflection (which loads the
    /// protocol's classes through their fields) and cannot use the AOT cache (its classes are
    /// Java 5 class files) — more time than checking a small file takes. Only `check-config`
    /// followed by `-f FILE`, `--file FILE`, `--file=FILE`, and the same forms of `-i` /
    /// `--config-id`, each at most once, with `-f`; anything else (help, another form, an unknown
    /// or repeated option, a value that starts with `-`) is empty, and picocli reads it with its
    /// usual answers.
    static Optional<Direct> direct(String[] args) {
        if (args.length < 3 || !args[0].equals("check-config")) {
            return Optional.empty();
        }
        String file = null;
        String configId = null;
        for (int i = 1; i < args.length; i++) {
            var arg = args[i];
            var name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            }
            if (value == null || value.isEmpty() || value.startsWith("-")) {
                return Optional.empty();
            }
            switch (name) {
                case "-f", "--file" -> {
                    if (file != null) {
                        return Optional.empty();
                    }
                    file = value;
                }
                case "-i", "--config-id" -> {
                    if (configId != null) {
                        return Optional.empty();
                    }
                    configId = value;
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        if (file == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Direct(Path.of(file), configId));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
