package dev.pharos.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/// Entry point of `director-agent.jar`: the command-line contract of DESIGN.md.
/// Each command is its own class in this package; this one only dispatches.
@Command(
        name = "director-agent",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Pharos director agent: VRRP, health checks and the virtual-server table.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, ConvertCommand.class, StatusCommand.class,
                CtlCommand.class, AttachCommand.class, GenhashCommand.class, WithdrawCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static {
        // Must be set before anything touches java.util.logging.
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", LogSetup.LastWordsLogManager.class.getName());
        }
    }

    public static void main(String[] args) {
        // check-config in its plain forms skips picocli and the logging set-up: see CheckConfigCommand#direct.
        var direct = CheckConfigCommand.direct(args);
        System.exit(direct.isPresent() ? direct.get().run() : execute(args));
    }

    /// Runs one command line and returns its exit code (used by tests, which must not exit the JVM).
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /// The configured command line; tests set its out/err writers.
    public static CommandLine commandLine() {
        LogSetup.install(false);
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // A bug must not print a stack trace at the user: one line, exit 2.
                    cmd.getErr().println(internalError(e));
                    return 2;
                });
    }

    /// The one line a bug prints instead of a stack trace.
    static String internalError(Exception e) {
        return "director-agent: internal error: " + e;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"director-agent " + (version == null ? "dev" : version)};
        }
    }
}
