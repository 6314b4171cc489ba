package dev.pharos.agent.api;

import java.util.List;
import java.util.Optional;

/// Every method of the control protocol, declared once with its params and result records
/// (`docs/protocol.md` describes each, with examples). [Protocol#METHODS] is derived from
/// [#ALL]; the agent's dispatcher and the console's client both go through these constants.
public final class Methods {

    public static final RpcMethod<Params.None, Hello> HELLO =
            new RpcMethod<>(Protocol.HELLO, Params.None.class, Hello.class);
    public static final RpcMethod<Params.StateGet, AgentState> STATE_GET =
            new RpcMethod<>(Protocol.STATE_GET, Params.StateGet.class, AgentState.class);
    public static final RpcMethod<Params.Subscribe, Results.Subscribed> EVENTS_SUBSCRIBE =
            new RpcMethod<>(Protocol.EVENTS_SUBSCRIBE, Params.Subscribe.class, Results.Subscribed.class);
    public static final RpcMethod<Params.None, Results.Unsubscribed> EVENTS_UNSUBSCRIBE =
            new RpcMethod<>(Protocol.EVENTS_UNSUBSCRIBE, Params.None.class, Results.Unsubscribed.class);
    public static final RpcMethod<Params.RealServerAdd, Results.Applied> REAL_SERVER_ADD =
            new RpcMethod<>(Protocol.REAL_SERVER_ADD, Params.RealServerAdd.class, Results.Applied.class);
    public static final RpcMethod<Params.RealServerRemove, Results.Applied> REAL_SERVER_REMOVE =
            new RpcMethod<>(Protocol.REAL_SERVER_REMOVE, Params.RealServerRemove.class, Results.Applied.class);
    public static final RpcMethod<Params.RealServerUpdate, Results.Applied> REAL_SERVER_UPDATE =
            new RpcMethod<>(Protocol.REAL_SERVER_UPDATE, Params.RealServerUpdate.class, Results.Applied.class);
    public static final RpcMethod<Params.RealServerMove, Results.Applied> REAL_SERVER_MOVE =
            new RpcMethod<>(Protocol.REAL_SERVER_MOVE, Params.RealServerMove.class, Results.Applied.class);
    public static final RpcMethod<Params.VirtualServerAdd, Results.Applied> VIRTUAL_SERVER_ADD =
            new RpcMethod<>(Protocol.VIRTUAL_SERVER_ADD, Params.VirtualServerAdd.class, Results.Applied.class);
    public static final RpcMethod<Params.VirtualServerRemove, Results.Applied> VIRTUAL_SERVER_REMOVE =
            new RpcMethod<>(Protocol.VIRTUAL_SERVER_REMOVE, Params.VirtualServerRemove.class, Results.Applied.class);
    public static final RpcMethod<Params.VirtualServerUpdate, Results.Applied> VIRTUAL_SERVER_UPDATE =
            new RpcMethod<>(Protocol.VIRTUAL_SERVER_UPDATE, Params.VirtualServerUpdate.class, Results.Applied.class);
    public static final RpcMethod<Params.SetPriority, Results.PrioritySet> VRRP_SET_PRIORITY =
            new RpcMethod<>(Protocol.VRRP_SET_PRIORITY, Params.SetPriority.class, Results.PrioritySet.class);
    public static final RpcMethod<Params.Resign, Results.Resigned> VRRP_RESIGN =
            new RpcMethod<>(Protocol.VRRP_RESIGN, Params.Resign.class, Results.Resigned.class);
    public static final RpcMethod<Params.None, Results.Config> CONFIG_GET =
            new RpcMethod<>(Protocol.CONFIG_GET, Params.None.class, Results.Config.class);
    public static final RpcMethod<Params.ConfigText, Results.Validation> CONFIG_VALIDATE =
            new RpcMethod<>(Protocol.CONFIG_VALIDATE, Params.ConfigText.class, Results.Validation.class);
    public static final RpcMethod<Params.ConfigApply, Results.Applied> CONFIG_APPLY =
            new RpcMethod<>(Protocol.CONFIG_APPLY, Params.ConfigApply.class, Results.Applied.class);
    public static final RpcMethod<Params.None, Results.Announcements> ANNOUNCE_GET =
            new RpcMethod<>(Protocol.ANNOUNCE_GET, Params.None.class, Results.Announcements.class);
    public static final RpcMethod<Params.Drain, Results.Announcements> ANNOUNCE_DRAIN =
            new RpcMethod<>(Protocol.ANNOUNCE_DRAIN, Params.Drain.class, Results.Announcements.class);

    /// Every method, in the order `agent.hello` lists them.
    public static final List<RpcMethod<?, ?>> ALL = List.of(HELLO, STATE_GET, EVENTS_SUBSCRIBE, EVENTS_UNSUBSCRIBE,
            REAL_SERVER_ADD, REAL_SERVER_REMOVE, REAL_SERVER_UPDATE, REAL_SERVER_MOVE, VIRTUAL_SERVER_ADD,
            VIRTUAL_SERVER_REMOVE, VIRTUAL_SERVER_UPDATE, VRRP_SET_PRIORITY, VRRP_RESIGN, CONFIG_GET, CONFIG_VALIDATE,
            CONFIG_APPLY, ANNOUNCE_GET, ANNOUNCE_DRAIN);

    /// The declaration of the method called `name`, if there is one.
    public static Optional<RpcMethod<?, ?>> named(String name) {
        return ALL.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    private Methods() {
    }
}
