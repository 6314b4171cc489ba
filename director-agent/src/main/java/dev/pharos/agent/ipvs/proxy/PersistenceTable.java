package dev.pharos.agent.ipvs.proxy;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/// The persistence templates of one service: masked client address → real server.
///
/// An entry lives while the client has connections through it, and for the persistence timeout
/// after its last connection started or ended. Deviation from IPVS: the kernel re-arms a
/// template's timer a full timeout at a time while it controls connections, so its end is up to
/// one timeout later than here; Pharos's rule is the one keepalived's documentation states.
///
/// As the kernel's templates (`ip_vs_check_template`), an entry ends only by its timeout or when
/// its real server is removed. It survives the server's weight 0, so a drain keeps its persistent
/// clients (`expire_quiescent_template` is 0 by default and keepalived leaves it so), and a
/// connection the server refused, so a client bound to a failed server keeps failing until the
/// checker removes the server.
///
/// Not thread-safe: guarded by the owning service's lock.
final class PersistenceTable {

    private static final class Entry {
        final LiveRealServer server;
        int connections;
        long lastUse;

        Entry(LiveRealServer server) {
            this.server = server;
        }
    }

    private final Map<InetAddress, Entry> entries = new HashMap<>();

    /// The server this client is bound to, or `null`.
    LiveRealServer lookup(InetAddress key, long now, long timeoutNanos) {
        var e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.server.removed() || (e.connections == 0 && now - e.lastUse > timeoutNanos)) {
            entries.remove(key);
            return null;
        }
        return e.server;
    }

    /// A connection of this client starts on `server`.
    void bind(InetAddress key, LiveRealServer server, long now) {
        var e = entries.get(key);
        if (e == null || e.server != server) {
            e = new Entry(server);
            entries.put(key, e);
        }
        e.connections++;
        e.lastUse = now;
    }

    /// A connection of this client on `server` ended.
    void release(InetAddress key, LiveRealServer server, long now) {
        var e = entries.get(key);
        if (e == null || e.server != server) {
            return;
        }
        e.connections = Math.max(0, e.connections - 1);
        e.lastUse = now;
    }

    void expire(long now, long timeoutNanos) {
        entries.values().removeIf(e -> e.connections == 0 && now - e.lastUse > timeoutNanos);
    }

    void forget(LiveRealServer server) {
        entries.values().removeIf(e -> e.server == server);
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}
