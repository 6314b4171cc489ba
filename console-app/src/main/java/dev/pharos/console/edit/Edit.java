package dev.pharos.console.edit;

import dev.pharos.agent.api.Methods;
import dev.pharos.agent.api.Params;
import dev.pharos.agent.api.Results;
import dev.pharos.agent.api.RpcException;
import dev.pharos.agent.api.RpcMethod;
import dev.pharos.console.connect.DirectorConnection;
import java.io.IOException;

/// One operator edit on the service table, on a director's VRRP priority or on whether it
/// announces its VIPs, and its inverse (for undo).
public sealed interface Edit {

    /// What the timeline and notifications say.
    String describe();

    /// The virtual server whose directors receive the edit; for [SetPriority], which reaches its one
    /// director, the VRRP instance; for [Drain] the director (what the timeline names as the edit's
    /// subject).
    String virtualServer();

    /// The method and params for a director at `revision`.
    Call<?> call(String revision);

    /// The edit that undoes this one.
    Edit inverse();

    /// One declared edit method with its params. The service table's edits answer [Results.Applied]
    /// with the configuration's new revision; a priority lives in the running VRRP engine and leaves
    /// the revision as it was.
    record Call<P>(RpcMethod<P, ?> method, P params) {

        /// Sends it on `connection`; returns the revision the director's configuration is at after
        /// it, or null when the method does not change the configuration.
        public String sendTo(DirectorConnection connection) throws IOException, RpcException {
            return connection.call(method, params) instanceof Results.Applied applied ? applied.revision() : null;
        }
    }

    record Move(String fromVirtualServer, String realServer, String toVirtualServer, Integer port, Integer oldPort)
            implements Edit {
        @Override
        public String describe() {
            return "move " + realServer + " from " + fromVirtualServer + " to " + toVirtualServer;
        }

        @Override
        public String virtualServer() {
            return fromVirtualServer;
        }

        @Override
        public Call<?> call(String revision) {
            return new Call<>(Methods.REAL_SERVER_MOVE, new Params.RealServerMove(revision, fromVirtualServer, realServer,
                    toVirtualServer, port));
        }

        @Override
        public Edit inverse() {
            var movedId = port == null ? realServer : realServer.substring(0, realServer.lastIndexOf(':') + 1) + port;
            return new Move(toVirtualServer, movedId, fromVirtualServer, oldPort, port);
        }
    }

    record Add(String virtualServer, String address, Integer port, int weight) implements Edit {
        @Override
        public String describe() {
            return "add " + address + (port == null ? "" : ":" + port) + " to " + virtualServer;
        }

        @Override
        public Call<?> call(String revision) {
            return new Call<>(Methods.REAL_SERVER_ADD, new Params.RealServerAdd(revision, virtualServer, address, port,
                    weight, true));
        }

        @Override
        public Edit inverse() {
            return new Remove(virtualServer, port == null ? address : hostPort(address, port), address, port, weight);
        }
    }

    record Remove(String virtualServer, String realServer, String address, Integer port, int weight) implements Edit {
        @Override
        public String describe() {
            return "remove " + realServer + " from " + virtualServer;
        }

        @Override
        public Call<?> call(String revision) {
            return new Call<>(Methods.REAL_SERVER_REMOVE, new Params.RealServerRemove(revision, virtualServer, realServer));
        }

        @Override
        public Edit inverse() {
            return new Add(virtualServer, address, port, weight);
        }
    }

    /// Weight 0 is drain.
    record SetWeight(String virtualServer, String realServer, int weight, int oldWeight) implements Edit {
        @Override
        public String describe() {
            return (weight == 0 ? "drain " + realServer : "weight " + weight + " for " + realServer) + " in "
                    + virtualServer;
        }

        @Override
        public Call<?> call(String revision) {
            return new Call<>(Methods.REAL_SERVER_UPDATE, new Params.RealServerUpdate(revision, virtualServer, realServer,
                    weight, null));
        }

        @Override
        public Edit inverse() {
            return new SetWeight(virtualServer, realServer, oldWeight, weight);
        }
    }

    /// The scheduler, forwarding method and persistence of a virtual server (`persistenceSeconds` 0:
    /// none), with the values they replace for undo.
    record SetScheduling(String virtualServer, String scheduler, String kind, long persistenceSeconds,
            String oldScheduler, String oldKind, long oldPersistenceSeconds) implements Edit {
        @Override
        public String describe() {
            return "scheduling of " + virtualServer + ": " + scheduler + " · " + kind + " · persistence "
                    + (persistenceSeconds == 0 ? "none" : persistenceSeconds + " s");
        }

        @Override
        public Call<?> call(String revision) {
            return new Call<>(Methods.VIRTUAL_SERVER_UPDATE, new Params.VirtualServerUpdate(revision, virtualServer,
                    scheduler, kind, persistenceSeconds, null, null));
        }

        @Override
        public Edit inverse() {
            return new SetScheduling(virtualServer, oldScheduler, oldKind, oldPersistenceSeconds, scheduler, kind,
                    persistenceSeconds);
        }
    }

    /// The base priority of VRRP `instance` on `director` (1–254), with the priority it replaces for
    /// undo. It reaches that director only, and changes its running VRRP engine, not its
    /// configuration file: a restart of the director brings back the configured priority.
    record SetPriority(String director, String instance, int priority, int oldPriority) implements Edit {
        @Override
        public String describe() {
            return "priority of " + instance + " on " + director + " → " + priority;
        }

        @Override
        public String virtualServer() {
            return instance;
        }

        @Override
        public Call<?> call(String revision) {
            return new Call<>(Methods.VRRP_SET_PRIORITY, new Params.SetPriority(instance, priority));
        }

        @Override
        public Edit inverse() {
            return new SetPriority(director, instance, oldPriority, priority);
        }
    }

    /// Takes `director` out of service (`drain`: its routing daemon withdraws every VIP, so the
    /// router sends new flows to the other active directors while this one serves the flows it
    /// has) or puts it back (each VIP announced again once healthy). It reaches that director
    /// only, and lives in its running agent, not its configuration file.
    record Drain(String director, boolean drain) implements Edit {
        @Override
        public String describe() {
            return drain ? "take " + director + " out of service (withdraw its VIPs)"
                    : "put " + director + " back in service (announce its VIPs)";
        }

        @Override
        public String virtualServer() {
            return director;
        }

        @Override
        public Call<?> call(String revision) {
            return new Call<>(Methods.ANNOUNCE_DRAIN, new Params.Drain(drain));
        }

        @Override
        public Edit inverse() {
            return new Drain(director, !drain);
        }
    }

    /// `edit` sent to one director only (making one director match another), not to every
    /// director that carries the virtual server.
    record OnDirector(String director, Edit edit) implements Edit {
        @Override
        public String describe() {
            return edit.describe() + " on " + director;
        }

        @Override
        public String virtualServer() {
            return edit.virtualServer();
        }

        @Override
        public Call<?> call(String revision) {
            return edit.call(revision);
        }

        @Override
        public Edit inverse() {
            return new OnDirector(director, edit.inverse());
        }
    }

    private static String hostPort(String address, int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }
}
