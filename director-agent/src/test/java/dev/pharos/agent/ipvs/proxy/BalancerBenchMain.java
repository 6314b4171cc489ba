package dev.pharos.agent.ipvs.proxy;

import dev.pharos.agent.ipvs.proxy.schedulers.SchedulerFlag;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/// A runnable user-space balancer for `bench/balancer` and the namespace tests:
///
/// ```
/// java -cp director-agent/target/classes:director-agent/target/test-classes \
///     dev.pharos.agent.ipvs.proxy.BalancerBenchMain --listen 127.0.0.1:8080 [--udp] [--scheduler wrr] \
///     --real 127.0.0.1:8081:3 --real 127.0.0.1:8082:1
/// ```
///
/// Prints `ready` once the service is added, and runs until killed (SIGTERM closes it).
public final class BalancerBenchMain {

    private BalancerBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress listen = null;
        var scheduler = "rr";
        var protocol = BalancerProtocol.TCP;
        List<BalancerRealServer> reals = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--listen" -> listen = endpoint(args[++i]);
                case "--scheduler" -> scheduler = args[++i].toLowerCase(Locale.ROOT);
                case "--udp" -> protocol = BalancerProtocol.UDP;
                case "--real" -> {
                    var spec = args[++i];
                    var cut = spec.lastIndexOf(':');
                    var weight = 1;
                    var host = spec;
                    if (spec.chars().filter(c -> c == ':').count() == 2) {
                        weight = Integer.parseInt(spec.substring(cut + 1));
                        host = spec.substring(0, cut);
                    }
                    reals.add(BalancerRealServer.of(endpoint(host), weight));
                }
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; usage: --listen IP:PORT [--udp] [--scheduler NAME] --real IP:PORT[:WEIGHT]...");
                    System.exit(2);
                }
            }
        }
        if (listen == null || reals.isEmpty()) {
            System.err.println("usage: --listen IP:PORT [--udp] [--scheduler NAME] --real IP:PORT[:WEIGHT]...");
            System.exit(2);
        }
        var lb = new UserspaceBalancer();
        var service = new BalancerService(protocol, listen, scheduler, Set.<SchedulerFlag>of(), Persistence.NONE, null, 0,
                protocol == BalancerProtocol.TCP ? BalancerService.TCP_IDLE_DEFAULT : BalancerService.UDP_IDLE_DEFAULT,
                BalancerService.CONNECT_DEFAULT);
        lb.addService(service);
        for (var r : reals) {
            lb.addRealServer(service.key(), r);
        }
        var done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lb.close();
            done.countDown();
        }, "bench-balancer-stop"));
        System.out.println("ready");
        System.out.flush();
        done.await();
    }

    private static InetSocketAddress endpoint(String hostPort) throws UnknownHostException {
        var cut = hostPort.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, cut)),
                Integer.parseInt(hostPort.substring(cut + 1)));
    }
}
