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
        var lowerOwn = last(instance.extras(), "lower_prio_no_advert");
        boolean lower;
        if (lowerOwn == null) {
            lower = strict || Boolean.TRUE.equals(last(global.extras(), "vrrp_lower_prio_no_advert"));
        } else if (strict && !lowerOwn) {
            lower = true;
            corrections.add("lower_prio_no_advert");
        } else {
            lower = lowerOwn;
        }
        var higherOwn = last(instance.extras(), "higher_prio_send_advert");
        boolean higher;
        if (higherOwn == null) {
            higher = !strict && Boolean.TRUE.equals(last(global.extras(), "vrrp_higher_prio_send_advert"));
        } else if (strict && higherOwn) {
            higher = false;
            corrections.add("higher_prio_send_advert");
        } else {
            higher = higherOwn;
        }
        return new Decision(lower, higher, corrections);
    }

    private static Boolean last(List<Extra> extras, String keyword) {
        Boolean value = null;
        for (var e : extras) {
            if (e.keyword().equals(keyword)) {
                var word = StartingState.onOff(e.args());
                if (word != null) {
                    value = word;
                }
            }
        }
        return value;
    }
}
