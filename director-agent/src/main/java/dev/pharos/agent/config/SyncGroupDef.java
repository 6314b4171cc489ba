package dev.pharos.agent.config;

import java.util.List;

/// `vrrp_sync_group NAME { group { VI_1 VI_2 } notify_* … }`: instances that change state together.
public record SyncGroupDef(String name, List<String> group, String notifyMaster, String notifyBackup,
        String notifyFault, String notifyStop, String notifyGeneric, List<VrrpInstanceDef.TrackInterface> trackInterfaces,
        List<VrrpInstanceDef.TrackScript> trackScripts, Boolean smtpAlert, List<Extra> extras) {

    public SyncGroupDef {
        group = List.copyOf(group);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        extras = List.copyOf(extras);
    }
}
