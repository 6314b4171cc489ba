package dev.pharos.agent.config;

import dev.pharos.agent.config.VrrpInstanceDef.AuthType;
import dev.pharos.agent.config.VrrpInstanceDef.State;
import java.net.Inet6Address;
import java.util.List;

/// The state keepalived 2.2.7 starts a VRRP instance in, which is not always the `state` written:
/// `vrrp_complete_instance` (keepalived/vrrp/vrrp.c) corrects it after reading the file, reports
/// the correction as a configuration error and runs the instance in the corrected state. Pharos
/// starts it the same way, and check-config warns where the file's state is not the one used.
///
/// - No `state`: MASTER when the priority is 255 (the address owner), else BACKUP.
/// - In strict mode (`vrrp_strict` in `global_defs`, or the instance's `strict_mode`) the state
///   must match being the address owner: keepalived makes it so ("State MASTER must match being
///   address owner").
/// - With `auth_type AH`, a MASTER that is not the owner starts as BACKUP: it must hear an advert
///   (for the AH sequence number) before taking over ("Initial state master is incompatible with
///   AH authentication - clearing"). keepalived checks this only when it keeps the authentication:
///   not in strict mode, not for VRRPv3 or IPv6 (it drops the authentication there).
///
/// An unset priority is 255 for `state MASTER` and 100 otherwise, as in `vrrp_complete_instance`.
public final class StartingState {

    private StartingState() {
    }

    /// The state keepalived starts `instance` in, with the reason when it is not the written one.
    ///
    /// @param reason null when the file's `state` (or its absence) is followed as written
    record Decision(State state, String reason) {
    }

    /// The state keepalived 2.2.7 starts `instance` in.
    public static State of(GlobalDefs global, VrrpInstanceDef instance) {
        return decide(global, instance).state();
    }

    /// The priority keepalived 2.2.7 runs `instance` with: the written one, else 255 (the address
    /// owner) for `state MASTER` and 100 otherwise (`vrrp_complete_instance`).
    public static int priority(VrrpInstanceDef instance) {
        if (instance.priority() != null) {
            return instance.priority();
        }
        return instance.state() == State.MASTER ? 255 : 100;
    }

    static Decision decide(GlobalDefs global, VrrpInstanceDef i) {
        var owner = priority(i) == 255;
        var ownerState = owner ? State.MASTER : State.BACKUP;
        if (i.state() == null) {
            return new Decision(ownerState, null);
        }
        var strict = strict(global, i);
        if (strict && i.state() != ownerState) {
            return new Decision(ownerState, "in strict mode the initial state must match being the address owner"
                    + " (priority 255)");
        }
        var ipv6 = i.nativeIpv6() || !i.virtualIpAddresses().isEmpty()
                && i.virtualIpAddresses().getFirst().address() instanceof Inet6Address;
        var version = i.version() != null ? i.version() : ipv6 ? 3 : global.vrrpVersion() != null ? global.vrrpVersion() : 2;
        if (!strict && version == 2 && !ipv6 && i.authentication() != null && i.authentication().type() == AuthType.AH
                && i.state() == State.MASTER && !owner) {
            return new Decision(State.BACKUP, "with AH authentication a MASTER that is not the address owner must hear"
                    + " an advert (for its sequence number) before taking over");
        }
        return new Decision(i.state(), null);
    }

    /// Strict mode: the instance's last `strict_mode` line if it reads as on or off (vrrp_parser.c
    /// `vrrp_strict_mode_handler`), else `vrrp_strict` in `global_defs` (global_parser.c
    /// `vrrp_strict_handler`, which reads no word).
    static boolean strict(GlobalDefs global, VrrpInstanceDef instance) {
        var own = lastOnOff(instance.extras(), "strict_mode");
        if (own != null) {
            return own;
        }
        return global.extras().stream().anyMatch(e -> e.keyword().equals("vrrp_strict"));
    }

    /// The word of the last `keyword` line among `extras` that reads as on or off, or null (each
    /// such line sets keepalived's field; one that does not read is reported and ignored).
    static Boolean lastOnOff(List<Extra> extras, String keyword) {
        Boolean value = null;
        for (var e : extras) {
            if (e.keyword().equals(keyword)) {
                var word = onOff(e.args());
                if (word != null) {
                    value = word;
                }
            }
        }
        return value;
    }

    /// lib/parser.c `check_true_false`: no word is on; `true`/`on`/`yes`, `false`/`off`/`no`; anything
    /// else is null (keepalived reports it and ignores the line).
    private static Boolean onOff(List<String> args) {
        if (args.isEmpty()) {
            return true;
        }
        return switch (args.getFirst()) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> null;
        };
    }
}
