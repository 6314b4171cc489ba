package dev.pharos.agent.config;

import java.util.ArrayList;
import java.util.List;

/// What a master sends when another router's advert arrives, as keepalived 2.2.7 decides it in
/// `vrrp_complete_instance` (keepalived/vrrp/vrrp.c):
///
/// - `lower_prio_no_advert`: the instance's line, else on in strict mode, else `global_defs`'s
///   `vrrp_lower_prio_no_advert`, else off (keepalived then answers a lower priority advert);
/// - `higher_prio_send_advert`: the instance's line, else off in strict mode, else `global_defs`'s
///   `vrrp_higher_prio_send_advert`, else off.
///
/// Strict mode overrides an instance's contrary line, which keepalived reports as a configuration
/// error ("resetting") and runs corrected: [#of] says so in [Decision#corrections]. A line whose
/// word does not read as on or off is refused by the parser and counts as absent here; given
/// twice, the last one wins, as each line sets keepalived's field.
public final class AdvertAnswers {

    private AdvertAnswers() {
    }

    /// @param corrections what strict mode changed against the instance's own lines, for the operator
    public record Decision(boolean lowerPrioNoAdvert, boolean higherPrioSendAdvert, List<String> corrections) {
        public Decision {
            corrections = List.copyOf(corrections);
        }
    }

    public static Decision of(GlobalDefs global, VrrpInstanceDef instance) {
        var strict = StartingState.strict(global, instance);
        var corrections = new ArrayList<String>();
        boolean lower = decide(global, instance, "lower_prio_no_advert", strict, true, corrections);
        boolean higher = decide(global, instance, "higher_prio_send_advert", strict, false, corrections);
        return new Decision(lower, higher, corrections);
    }

    /// `keyword` for `instance`: its own line, reset to `strictValue` in strict mode (a
    /// correction); else `strictValue` in strict mode; else `global_defs`'s `vrrp_` line; else off.
    private static boolean decide(GlobalDefs global, VrrpInstanceDef instance, String keyword, boolean strict,
            boolean strictValue, List<String> corrections) {
        var own = StartingState.lastOnOff(instance.extras(), keyword);
        if (own == null) {
            return strict ? strictValue : Boolean.TRUE.equals(StartingState.lastOnOff(global.extras(), "vrrp_" + keyword));
        }
        if (strict && own != strictValue) {
            corrections.add(keyword);
            return strictValue;
        }
        return own;
    }
}
