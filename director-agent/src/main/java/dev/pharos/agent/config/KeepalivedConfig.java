package dev.pharos.agent.config;

import java.util.List;
import java.util.Optional;

/// A whole keepalived.conf, as the file says it (keyword aliases folded into one spelling).
/// Blocks keep the order of the file; names are unique within their kind after validation.
public record KeepalivedConfig(GlobalDefs globalDefs, List<VrrpScriptDef> vrrpScripts,
        List<SyncGroupDef> syncGroups, List<VrrpInstanceDef> vrrpInstances,
        List<VirtualServerGroupDef> virtualServerGroups, List<VirtualServerDef> virtualServers,
        List<Extra> extras) {

    public KeepalivedConfig {
        vrrpScripts = List.copyOf(vrrpScripts);
        syncGroups = List.copyOf(syncGroups);
        vrrpInstances = List.copyOf(vrrpInstances);
        virtualServerGroups = List.copyOf(virtualServerGroups);
        virtualServers = List.copyOf(virtualServers);
        extras = List.copyOf(extras);
    }

    /// true when `other` holds the very objects this one holds, virtual servers aside: what an
    /// edit of virtual servers makes (the rest need not be read, checked or compared again).
    public boolean differsOnlyInVirtualServers(KeepalivedConfig other) {
        return globalDefs == other.globalDefs && vrrpScripts == other.vrrpScripts && syncGroups == other.syncGroups
                && vrrpInstances == other.vrrpInstances && virtualServerGroups == other.virtualServerGroups
                && extras == other.extras;
    }

    public Optional<VrrpInstanceDef> instance(String name) {
        return vrrpInstances.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    public Optional<VrrpScriptDef> script(String name) {
        return vrrpScripts.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<VirtualServerGroupDef> virtualServerGroup(String name) {
        return virtualServerGroups.stream().filter(g -> g.name().equals(name)).findFirst();
    }
}
