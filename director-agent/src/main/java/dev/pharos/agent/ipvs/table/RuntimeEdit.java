package dev.pharos.agent.ipvs.table;

import java.util.Objects;

/// One change an operator made at run time (from the console or `ctl`), on top of the config.
public sealed interface RuntimeEdit permits RuntimeEdit.AddRealServer, RuntimeEdit.RemoveRealServer,
        RuntimeEdit.MoveRealServer, RuntimeEdit.SetWeight, RuntimeEdit.Drain {

    /// Adds `realServer` to the virtual server named `virtualServer`.
    record AddRealServer(String virtualServer, TableSpec.RealServerSpec realServer) implements RuntimeEdit {
        public AddRealServer {
            Objects.requireNonNull(virtualServer, "virtualServer");
            Objects.requireNonNull(realServer, "realServer");
        }
    }

    record RemoveRealServer(RealServerRef realServer) implements RuntimeEdit {
        public RemoveRealServer {
            Objects.requireNonNull(realServer, "realServer");
        }
    }

    /// Moves a real server, with its settings, to another virtual server. Its health there is
    /// that of a new real server until its checks report under the new [RealServerRef].
    record MoveRealServer(RealServerRef realServer, String toVirtualServer) implements RuntimeEdit {
        public MoveRealServer {
            Objects.requireNonNull(realServer, "realServer");
            Objects.requireNonNull(toVirtualServer, "toVirtualServer");
        }
    }

    /// Sets the configured weight (and ends a drain).
    record SetWeight(RealServerRef realServer, int weight) implements RuntimeEdit {
        public SetWeight {
            Objects.requireNonNull(realServer, "realServer");
            if (weight < 0) {
                throw new IllegalArgumentException("weight " + weight + " of " + realServer + " is negative");
            }
        }
    }

    /// Weight 0 whatever the configuration or a `MISC_CHECK` says: existing connections finish,
    /// new ones go elsewhere. [SetWeight] ends it.
    record Drain(RealServerRef realServer) implements RuntimeEdit {
        public Drain {
            Objects.requireNonNull(realServer, "realServer");
        }
    }
}
