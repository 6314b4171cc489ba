package dev.pharos.agent.cli;

import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigJson;
import dev.pharos.agent.config.ConfigWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/// `convert -f FILE --to json|keepalived`: prints the configuration in the other form.
@Command(name = "convert", description = "Print a configuration as JSON or as keepalived.conf.")
final class ConvertCommand implements Callable<Integer> {

    enum Format {
        json, keepalived
    }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
            description = "keepalived.conf, or its JSON form (*.json)")
    Path file;

    @Option(names = {"-i", "--config-id"}, paramLabel = "ID",
            description = "keepalived's config id for @ID lines and $${_INSTANCE} (default: the host name up to its "
                    + "first dot)")
    String configId;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "json or keepalived")
    Format to;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        try {
            var loaded = ConfigFiles.load(file, configId);
            ConfigFiles.print(err, loaded.warnings());
            var out = spec.commandLine().getOut();
            out.print(switch (to) {
                case json -> ConfigJson.toJson(loaded.config());
                case keepalived -> ConfigWriter.write(loaded.config());
            });
            out.flush();
            return 0;
        } catch (ConfigException e) {
            ConfigFiles.print(err, e.diagnostics());
            return 1;
        }
    }
}
