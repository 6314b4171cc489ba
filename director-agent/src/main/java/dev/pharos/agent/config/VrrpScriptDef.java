package dev.pharos.agent.config;

import java.time.Duration;

/// `vrrp_script NAME { script …; interval; timeout; weight; rise; fall; user }`. Absent values are
/// `null` (keepalived's defaults: interval 1 s, timeout = interval, weight 0, rise 1, fall 1).
///
/// @param script the command line as written (keepalived splits it into words, honouring quotes)
public record VrrpScriptDef(String name, String script, Duration interval, Duration timeout, Integer weight,
        Boolean weightReverse, Integer rise, Integer fall, String user) {
}
