package dev.pharos.agent.cli;

import dev.pharos.agent.announce.AnnounceConfig;
import dev.pharos.agent.announce.AnnounceConfigParser;
import dev.pharos.agent.config.ConfigException;
import dev.pharos.agent.config.ConfigLoader;
import dev.pharos.agent.daemon.Daemon;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/// `run -f FILE`: the agent in the foreground, logging to stderr, until SIGTERM.
@Command(name = "run", description = {
        "Run the agent in the foreground (logs on stderr) until SIGTERM; SIGHUP reloads the file.",
        "Runs the VRRP instances (virtual IPs, adverts, gratuitous ARP, tracking, notify), the health checks"
                + " and the virtual-server table (kernel IPVS or the user-space balancer)."})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "keepalived.conf")
    Path file;

    @Option(names = {"-i", "--config-id"}, paramLabel = "ID",
            description = "keepalived's config id for @ID lines and $${_INSTANCE} (default: the host name up to its "
                    + "first dot)")
    String configId;

    @Option(names = "--control-socket", paramLabel = "PATH", defaultValue = "/run/pharos/agent.sock",
            description = "the control channel's Unix socket (default: ${DEFAULT-VALUE})")
    Path controlSocket;

    @Option(names = "--no-control", description = "run without a control channel")
    boolean noControl;

    @Option(names = "--control-group", paramLabel = "GROUP",
            description = "the group that may use the control socket besides its owner (mode 0660). Its members"
                    + " are operators: they read everything and edit servers and priorities, but changing scripts,"
                    + " global_defs or includes needs root or the agent's own user")
    String controlGroup;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/pharos",
            description = "where the agent keeps previous versions of the configuration and which IPVS services "
                    + "are its own (default: ${DEFAULT-VALUE})")
    Path stateDir;

    @Option(names = "--balancer", paramLabel = "auto|kernel|userspace", defaultValue = "auto",
            description = "the service-table backend: the kernel's IPVS, Pharos's user-space balancer, or auto "
                    + "(IPVS when the kernel has it). Default: ${DEFAULT-VALUE}")
    String balancer;

    @Option(names = {"-I", "--dont-release-ipvs"},
            description = "leave the agent's own IPVS services in the kernel at a graceful stop (as keepalived's "
                    + "option of that name); a restarted agent on the same --state-dir adopts them as they are")
    boolean dontReleaseIpvs;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve Prometheus metrics at http://HOST:PORT/metrics (loopback only, e.g. 127.0.0.1:9650); off by default")
    String metrics;

    @Option(names = "--announce", paramLabel = "FILE",
            description = "announce the VIPs through a routing daemon (BIRD or FRR) as FILE says, e.g. "
                    + "/etc/pharos/announce.conf: for several active directors behind ECMP (docs/operations.md)")
    Path announce;

    @Option(names = "--debug", description = "log debug detail and stack traces")
    boolean debug;

    @Override
    public Integer call() throws InterruptedException {
        LogSetup.install(debug);
        var err = spec.commandLine().getErr();
        if (!List.of("auto", "kernel", "userspace").contains(balancer)) {
            err.println("director-agent: --balancer " + balancer + ": expected auto, kernel or userspace");
            return 2;
        }
        InetSocketAddress metricsAddress = null;
        if (metrics != null) {
            int colon = metrics.lastIndexOf(':');
            try {
                var host = metrics.substring(0, colon).replace("[", "").replace("]", "");
                metricsAddress = new InetSocketAddress(InetAddress.getByName(host),
                        Integer.parseInt(metrics.substring(colon + 1)));
            } catch (RuntimeException | UnknownHostException e) {
                err.println("director-agent: --metrics " + metrics + ": expected HOST:PORT, e.g. 127.0.0.1:9650");
                return 2;
            }
        }
        AnnounceConfig announcing = null;
        if (announce != null) {
            try {
                announcing = AnnounceConfigParser.read(announce);
            } catch (ConfigException e) {
                ConfigFiles.print(err, e.diagnostics());
                return 1;
            } catch (IOException e) {
                err.println("director-agent: --announce " + announce + ": cannot read it: " + e.getMessage());
                return 1;
            }
        }
        var daemon = new Daemon(new Daemon.Options(file, configId != null ? configId : ConfigLoader.defaultConfigId(),
                noControl ? null : controlSocket, controlGroup, stateDir, metricsAddress, balancer, !dontReleaseIpvs,
                announcing));
        // Before start: a SIGTERM while the agent starts stops it gracefully once the start is done
        // (Daemon.stop waits for it) instead of killing the JVM with exit 143.
        Signals.onTerminate(daemon::stop);
        try {
            daemon.start();
        } catch (ConfigException e) {
            ConfigFiles.print(err, e.diagnostics());
            return 1;
        } catch (IOException e) {
            err.println("director-agent: cannot start: " + e.getMessage());
            err.flush();
            daemon.stop();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(daemon::stop));
        if (!Signals.onHangup(daemon::reload)) {
            System.getLogger(RunCommand.class.getName()).log(System.Logger.Level.WARNING,
                    "SIGHUP is ignored in this process (started under nohup?), so it will not reload the "
                            + "configuration; reload with 'director-agent ctl config.apply', or start the agent "
                            + "without nohup (systemd does)");
        }
        daemon.awaitStop();
        return 0;
    }
}
