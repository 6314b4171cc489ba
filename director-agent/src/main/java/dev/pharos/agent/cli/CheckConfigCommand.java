package dev.pharos.agent.cli;

import dev.pharos.agent.config.ConfigException;
import java.nio.file.Path;
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
        var err = spec.commandLine().getErr();
        try {
            var loaded = ConfigFiles.load(file, configId);
            ConfigFiles.print(err, loaded.warnings());
            return 0;
        } catch (ConfigException e) {
            ConfigFiles.print(err, e.diagnostics());
            return 1;
        }
    }
}
