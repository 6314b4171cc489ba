package dev.pharos.agent.daemon;

import dev.pharos.agent.config.KeepalivedConfig;
import dev.pharos.agent.config.VirtualServerDef;
import dev.pharos.agent.ipvs.proxy.UserspaceBackend;
import dev.pharos.agent.ipvs.proxy.UserspaceBalancer;
import dev.pharos.agent.vrrp.AddressPlumbing;
import dev.pharos.agent.vrrp.VrrpTransport;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/// A platform for the edit path's tests, fast and without root: no VRRP (opening a transport
/// fails, so the configurations have no instances), no VIPs, and the user-space balancer with
/// nothing to serve. One trap stands for a service table that fails while applying: a
/// configuration holding `virtual_server fwmark` [#TRAP] makes [#served] throw.
final class EditTestPlatform implements Platform {

    static final long TRAP = 4242;

    @Override
    public Optional<String> missing() {
        return Optional.empty();
    }

    @Override
    public AddressPlumbing openPlumbing() {
        return new AddressPlumbing() {
            @Override
            public void addAddress(String interfaceName, dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress vip) {
            }

            @Override
            public void removeAddress(String interfaceName, dev.pharos.agent.vrrp.VrrpSettings.VirtualAddress vip) {
            }

            @Override
            public void announce(String interfaceName, InetAddress address) {
            }
        };
    }

    @Override
    public void closePlumbing(AddressPlumbing plumbing) {
    }

    @Override
    public VrrpTransport.Factory transports() {
        return settings -> {
            throw new IOException("the edit tests have no VRRP network for " + settings.name());
        };
    }

    @Override
    public void warmUp() {
    }

    @Override
    public boolean monitorsInterfaces() {
        return false;
    }

    @Override
    public Backend serviceBackend(String mode) {
        return new Backend(new UserspaceBackend(new UserspaceBalancer()), "edit tests: nothing is served");
    }

    @Override
    public KeepalivedConfig served(KeepalivedConfig config) {
        if (config.virtualServers().stream().anyMatch(v -> v.key() instanceof VirtualServerDef.Key.Fwmark f
                && f.mark() == TRAP)) {
            throw new IllegalStateException("the test's service table refuses fwmark " + TRAP);
        }
        return new KeepalivedConfig(config.globalDefs(), config.vrrpScripts(), config.syncGroups(),
                config.vrrpInstances(), config.virtualServerGroups(), List.of(), config.extras());
    }
}
