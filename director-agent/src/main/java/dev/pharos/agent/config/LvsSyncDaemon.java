package dev.pharos.agent.config;

import java.net.InetAddress;
import java.util.Objects;

/// `lvs_sync_daemon INTERFACE [[inst] VRRP_INSTANCE] [id SYNC_ID] [maxlen LEN] [port PORT] [ttl TTL]
/// [group ADDRESS]` in `global_defs` (keepalived's `lvs_syncd_handler`): the kernel's IPVS
/// connection-synchronisation daemon, master while the named instance is MASTER and backup
/// otherwise. Absent values are `null` (the kernel's or keepalived's default).
///
/// @param instance the VRRP instance that switches the daemon; without one both daemons run for
///                 as long as the agent does (keepalived's checker does the same)
/// @param syncId   0–255; keepalived's default is the instance's `virtual_router_id`, else 0
public record LvsSyncDaemon(String interfaceName, String instance, Integer syncId, Integer maxLength,
        Integer port, Integer ttl, InetAddress group) {

    public LvsSyncDaemon {
        Objects.requireNonNull(interfaceName, "interfaceName");
    }

    /// The sync id keepalived uses: the given one, else the instance's VRID, else 0.
    public int effectiveSyncId(Integer instanceVrid) {
        if (syncId != null) {
            return syncId;
        }
        return instanceVrid != null ? instanceVrid : 0;
    }

    /// The statement as `ConfigWriter` writes it back (the options in keepalived's order).
    String words() {
        var b = new StringBuilder(ConfigWriter.word(interfaceName));
        if (instance != null) {
            b.append(" inst ").append(ConfigWriter.word(instance));
        }
        if (syncId != null) {
            b.append(" id ").append(syncId);
        }
        if (maxLength != null) {
            b.append(" maxlen ").append(maxLength);
        }
        if (port != null) {
            b.append(" port ").append(port);
        }
        if (ttl != null) {
            b.append(" ttl ").append(ttl);
        }
        if (group != null) {
            b.append(" group ").append(Values.format(group));
        }
        return b.toString();
    }
}
