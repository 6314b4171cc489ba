package dev.pharos.agent.daemon;

import dev.pharos.agent.bfd.BfdTransport;
import dev.pharos.agent.config.GlobalDefs;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.ipvs.kernel.GenlTransport;
import dev.pharos.agent.ipvs.kernel.KernelIpvs;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.ipvs.proxy.UserspaceBalancer;
import dev.pharos.agent.linux.GenericNetlink;
import dev.pharos.agent.linux.MemoryLock;
import dev.pharos.agent.linux.NativeException;
import dev.pharos.agent.linux.Privileges;
import dev.pharos.agent.linux.RealtimeScheduling;
import dev.pharos.agent.linux.TimerSlack;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Optional;

/// A Linux director: raw IPv4 sockets for VRRP, rtnetlink for VIPs, AF_PACKET for gratuitous ARP,
/// and the kernel's IPVS when it is there, else Pharos's user-space balancer.
public final class LinuxPlatform implements Platform {

    private static final System.Logger LOG = System.getLogger(LinuxPlatform.class.getName());

    /// The plumbing [#openPlumbing] opened, for [#compileHotPaths].
    private volatile LinuxAddressPlumbing plumbing;
    /// Run first by each VRRP receive loop ([#vrrpProcess]).
    private volatile Runnable vrrpThreadStart = () -> { };

    @Override
    public Optional<String> missing() {
        return Privileges.missingForVrrp();
    }

    @Override
    public AddressPlumbing openPlumbing() throws IOException {
        var opened = LinuxAddressPlumbing.open();
        long start = System.nanoTime();
        boolean expected = opened.warmUp();
        LOG.log(Level.DEBUG, "address plumbing warmed up in {0} µs{1}", (System.nanoTime() - start) / 1000,
                expected ? "" : " (the kernel did not answer as expected)");
        plumbing = opened;
        return opened;
    }

    @Override
    public void closePlumbing(AddressPlumbing plumbing) {
        if (plumbing instanceof LinuxAddressPlumbing l) {
            if (this.plumbing == l) {
                this.plumbing = null;
            }
            l.close();
        }
    }

    @Override
    public VrrpTransport.Factory transports() {
        return s -> LinuxVrrpTransport.open(s, vrrpThreadStart);
    }

    @Override
    public Runnable vrrpProcess(GlobalDefs global) {
        if (Boolean.TRUE.equals(global.vrrpNoSwap())) {
            try {
                MemoryLock.lockAll();
                LOG.log(Level.INFO, "vrrp_no_swap: the agent is locked in memory");
            } catch (IOException e) {
                LOG.log(Level.WARNING, "vrrp_no_swap: {0}", e.getMessage());
            }
        }
        var priority = global.vrrpRtPriority();
        if (priority == null) {
            vrrpThreadStart = () -> { };
        } else {
            vmThreadRealtime(priority);
            vrrpThreadStart = () -> realtime(priority);
        }
        return vrrpThreadStart;
    }

    /// Not in keepalived, which has no collector: the JVM's "VM Thread" runs every safepoint
    /// operation — with the Serial collector the collection itself — while all Java threads, the
    /// VRRP engine's too, wait for it. Left a normal thread, a CPU hog stretched those waits to
    /// tens and hundreds of milliseconds (bench/vrrp-stress), so it runs at the VRRP threads' priority.
    private static void vmThreadRealtime(int priority) {
        var tid = RealtimeScheduling.jvmThread("VM Thread");
        if (tid.isEmpty()) {
            LOG.log(Level.WARNING, "vrrp_rt_priority: the JVM''s VM Thread was not found; collections run at normal priority");
            return;
        }
        try {
            RealtimeScheduling.roundRobin(tid.getAsInt(), priority);
            LOG.log(Level.INFO, "vrrp_rt_priority: the JVM''s VM Thread (tid {0}) runs under SCHED_RR at priority {1}",
                    String.valueOf(tid.getAsInt()), priority);
        } catch (NativeException e) {
            LOG.log(Level.WARNING, "vrrp_rt_priority: the JVM''s VM Thread stays a normal thread: {0}", e.getMessage());
        }
    }

    /// On the calling VRRP thread. A refusal leaves it a normal thread, as keepalived's "cannot raise
    /// priority" does; said once per thread, since every receive loop tries.
    private static void realtime(int priority) {
        var name = Thread.currentThread().getName();
        try {
            RealtimeScheduling.roundRobin(priority);
            LOG.log(Level.INFO, "vrrp_rt_priority: thread {0} (tid {1}) runs under SCHED_RR at priority {2}", name,
                    String.valueOf(RealtimeScheduling.threadId()), priority);
        } catch (NativeException e) {
            LOG.log(Level.WARNING, "vrrp_rt_priority: thread {0} stays a normal thread: {1}", name, e.getMessage());
        }
    }

    @Override
    public void warmUp() {
        try {
            // On the main thread, before the engine's thread exists: it inherits the slack.
            TimerSlack.set(1);
        } catch (NativeException e) {
            LOG.log(Level.DEBUG, "timer slack left at the default: {0}", e.getMessage());
        }
        Warmup.run();
    }

    @Override
    public void compileHotPaths(boolean ipv6) {
        var opened = plumbing;
        Thread.ofPlatform().name("vrrp-warm-up").daemon().start(() -> Warmup.compileHotPaths(opened, ipv6));
    }

    @Override
    public Optional<BfdTransport> openBfd() throws IOException {
        return Optional.of(LinuxBfdTransport.open());
    }

    @Override
    public boolean monitorsInterfaces() {
        return true;
    }

    @Override
    public KeepalivedConfig served(KeepalivedConfig config) {
        return config;
    }

    @Override
    public Backend serviceBackend(String mode) throws IOException {
        if (!mode.equals("userspace")) {
            String absent;
            GenericNetlink genl = null;
            try {
                genl = GenericNetlink.open();
                var g = genl;
                switch (KernelIpvs.open(GenlTransport.of(g::resolveFamily, g::transact))) {
                    case KernelIpvs.Present p -> {
                        // The backend keeps using this socket for as long as the agent runs.
                        LOG.log(Level.INFO, "Service table: the kernel''s IPVS {0}", p.version());
                        return new Backend(p.ipvs(), "the kernel has IPVS " + p.version());
                    }
                    case KernelIpvs.Absent a -> absent = a.reason();
                }
            } catch (NativeException e) {
                absent = "generic netlink is not available: " + e.getMessage();
            }
            if (genl != null) {
                genl.close();
            }
            if (mode.equals("kernel")) {
                throw new IOException("--balancer kernel: " + absent);
            }
            LOG.log(Level.INFO, "Service table: the user-space balancer ({0})", absent);
            return new Backend(new UserspaceBackend(new UserspaceBalancer()), absent);
        }
        LOG.log(Level.INFO, "Service table: the user-space balancer (--balancer userspace)");
        return new Backend(new UserspaceBackend(new UserspaceBalancer()), "--balancer userspace");
    }
}
