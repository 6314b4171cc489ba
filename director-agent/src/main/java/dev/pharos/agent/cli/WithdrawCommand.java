package dev.pharos.agent.cli;

import dev.pharos.agent.announce.AnnounceConfigParser;
import dev.pharos.agent.config.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/// `withdraw --announce FILE`: withdraws every VIP the file names from the routing daemon, for
/// systemd's `ExecStopPost` after the agent crashed (a graceful stop withdraws them itself).
@Command(name = "withdraw", description = {
        "Withdraw every VIP that the announce file names from the routing daemon (BIRD or FRR), as a stopped agent"
                + " does; for ExecStopPost after a crash."})
final class WithdrawCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--announce", required = true, paramLabel = "FILE", description = "the agent's announce file")
    Path file;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        try {
            var config = AnnounceConfigParser.read(file);
            var daemon = config.routingDaemon(Duration.ofSeconds(5));
            int failed = 0;
            for (var vip : config.vips()) {
                try {
                    daemon.withdraw(vip);
                    out.println("withdrew " + vip.address().getHostAddress());
                } catch (IOException e) {
                    err.println("director-agent: cannot withdraw " + vip.address().getHostAddress() + ": "
                            + e.getMessage());
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        } catch (ConfigException e) {
            ConfigFiles.print(err, e.diagnostics());
            return 1;
        } catch (IOException e) {
            err.println("director-agent: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
    }
}
