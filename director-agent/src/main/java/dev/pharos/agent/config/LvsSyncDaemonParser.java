package dev.pharos.agent.config;

import java.net.InetAddress;

/// Reads `lvs_sync_daemon` as keepalived 2.2.7's `lvs_syncd_handler` does: the interface, then
/// options by keyword in any order; for the older form `lvs_sync_daemon IF INSTANCE [SYNC_ID]`
/// a bare third word is the instance and a bare fourth the sync id.
final class LvsSyncDaemonParser {

    /// `IP_VS_IFNAME_MAXLEN` (16) with its NUL.
    private static final int MAX_INTERFACE_NAME = 15;

    private final Values values;

    LvsSyncDaemonParser(Values values) {
        this.values = values;
    }

    LvsSyncDaemon read(Node n) {
        var args = n.args();
        if (args.isEmpty()) {
            values.error(n.position(), "lvs_sync_daemon needs an interface: lvs_sync_daemon INTERFACE VRRP_INSTANCE");
            return null;
        }
        var ifname = args.getFirst();
        if (ifname.text().length() > MAX_INTERFACE_NAME) {
            values.error(ifname.position(), "lvs_sync_daemon: interface name '" + ifname.text() + "' is longer than "
                    + MAX_INTERFACE_NAME + " characters");
            return null;
        }
        String instance = null;
        Integer syncId = null;
        Integer maxLength = null;
        Integer port = null;
        Integer ttl = null;
        InetAddress group = null;
        // keepalived reads the slot after an option keyword even when it is missing (its "No value
        // specified" reports); here a missing value is an error at the keyword.
        for (int i = 1; i < args.size(); i++) {
            var t = args.get(i);
            var option = t.text();
            boolean keyword = switch (option) {
                case "inst", "id", "maxlen", "port", "ttl", "group" -> true;
                default -> false;
            };
            if (keyword && i == args.size() - 1) {
                values.error(t.position(), "lvs_sync_daemon: no value after '" + option + "'");
                break;
            }
            if (keyword) {
                var v = args.get(++i);
                switch (option) {
                    case "inst" -> instance = v.text();
                    case "id" -> syncId = values.integer(v, "lvs_sync_daemon id", 0, 255);
                    case "maxlen" -> maxLength = values.integer(v, "lvs_sync_daemon maxlen", 1, 65535 - 20 - 8);
                    case "port" -> port = values.integer(v, "lvs_sync_daemon port", 1, 65535);
                    case "ttl" -> ttl = values.integer(v, "lvs_sync_daemon ttl", 1, 255);
                    default -> group = multicast(v);
                }
            } else if (i == 1 && instance == null) {
                instance = option;
            } else if (i == 2 && syncId == null) {
                values.warning(t.position(), "lvs_sync_daemon: write the sync id as 'id " + option + "' (keepalived"
                        + " asks for the keyword too)");
                syncId = values.integer(t, "lvs_sync_daemon sync id", 0, 255);
            } else {
                values.error(t.position(), "lvs_sync_daemon: unknown option '" + option + "' (inst, id, maxlen, port,"
                        + " ttl or group)");
            }
        }
        return new LvsSyncDaemon(ifname.text(), instance, syncId, maxLength, port, ttl, group);
    }

    private InetAddress multicast(Token t) {
        var a = values.address(t, "lvs_sync_daemon group");
        if (a != null && !a.isMulticastAddress()) {
            values.error(t.position(), "lvs_sync_daemon group " + t.text() + " is not a multicast address");
            return null;
        }
        return a;
    }
}
