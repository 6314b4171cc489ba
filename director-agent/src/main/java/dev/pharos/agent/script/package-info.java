/// Who a configured script runs as, and whether it may run at all: keepalived's script security
/// (`lib/notify.c`: `check_script_secure`, `set_script_uid_gid`, the default user
/// `keepalived_script`) for notify, track, `MISC_CHECK` and quorum scripts. [ScriptPolicy] decides
/// once per configuration and logs keepalived's lines; [RunAs] turns its decision into the argv
/// that switches user (util-linux `setpriv`), since a JVM cannot change the user of one child.
///
/// Nullness: parameters, fields and results are non-null unless documented otherwise.
package dev.pharos.agent.script;
