package dev.pharos.agent.daemon;

import dev.pharos.agent.bfd.BfdTransport;
import dev.pharos.agent.config.GlobalDefs;
import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.ipvs.table.IpvsBackend;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.StepGate;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/// What the agent runs on: a Linux host ([LinuxPlatform]: raw sockets, rtnetlink, IPVS or the
/// user-space balancer on the VIPs) or the lab's in-memory network (`agent.lab`). Everything
/// else — configuration, VRRP engine, checks, service table, control channel — is the same code.
public interface Platform {

    /// A sentence saying what is missing to run here (privileges), or empty.
    Optional<String> missing();

    /// Adds and removes VIPs, sends gratuitous ARP. Closed when the agent stops.
    AddressPlumbing openPlumbing() throws IOException;

    /// Closes what [#openPlumbing] opened.
    void closePlumbing(AddressPlumbing plumbing);

    /// Opens one VRRP transport per instance.
    VrrpTransport.Factory transports();

    /// Warms the VRRP send path before the real instances start (a cold first takeover is late).
    void warmUp();

    /// Once the agent runs: gets the per-advert paths compiled, in the background, so adverts
    /// and the first advert of a takeover do not run interpreted; `ipv6`: also those of IPv6
    /// adverts (an instance runs VRRP over IPv6). Nothing by default.
    default void compileHotPaths(boolean ipv6) {
    }

    /// BFD's sockets (UDP 3784 and one sender per session), or empty where `bfd_instance`s are
    /// not run (the lab: a VRRP instance tracking one stays in FAULT, as with a session never Up).
    default Optional<BfdTransport> openBfd() throws IOException {
        return Optional.empty();
    }

    /// Applies `global_defs`' `vrrp_no_swap` to the process and returns what each VRRP thread (the
    /// engine's, its address worker's, each instance's receive loop) runs first on itself for
    /// `vrrp_rt_priority`. Called once, before the engine starts. What the host refuses is logged
    /// and VRRP runs anyway, as keepalived does. Nothing by default: the lab's directors share one JVM.
    default Runnable vrrpProcess(GlobalDefs global) {
        return () -> { };
    }

    /// Whether interface state is watched (a Linux host has interfaces that go down; the lab not).
    boolean monitorsInterfaces();

    /// The service-table backend for `--balancer` `mode`, and why it was chosen.
    Backend serviceBackend(String mode) throws IOException;

    /// How often the whole kernel table is read back and put right (a change made behind the
    /// agent's back, `ipvsadm`); between those reads only the services a change concerns are read.
    default Duration tableCheckInterval() {
        return Duration.ofSeconds(10);
    }

    /// The configuration the checks and the service table act on: the file's own on a host; the
    /// lab maps its documentation addresses onto loopback servers here.
    KeepalivedConfig served(KeepalivedConfig config);

    /// What can stop this director's VRRP time and the name it reports transitions under: the
    /// training lab's step-by-step mode. Real hosts never pause.
    default StepGate stepGate() {
        return StepGate.NEVER;
    }

    /// The director's name in [#stepGate]'s pauses.
    default String directorName() {
        return "";
    }

    /// @param reason shown by `status` and `state.get` (e.g. "the kernel has no IPVS")
    record Backend(IpvsBackend backend, String reason) {
    }
}
