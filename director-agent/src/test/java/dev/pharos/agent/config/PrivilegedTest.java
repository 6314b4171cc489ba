package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/// What an operator's `config.apply` may not change: every script and who runs it, `global_defs`,
/// and kept statements that speak of scripts; everything else it may.
class PrivilegedTest {

    private static final String BASE = """
            vrrp_script chk {
                script "/usr/local/bin/check"
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 1
                notify_master "/etc/keepalived/master.sh"
                track_script {
                    chk
                }
                virtual_ipaddress {
                    192.0.2.10
                }
            }
            virtual_server 192.0.2.10 80 {
                protocol TCP
                real_server 198.51.100.1 80 {
                    weight 1
                    MISC_CHECK {
                        misc_path "/usr/local/bin/probe"
                    }
                }
            }
            """;

    private static KeepalivedConfig parse(String text) throws ConfigException {
        return ConfigLoader.parse(Path.of("p.conf"), text, "").config();
    }

    private static String change(String next) throws ConfigException {
        return Privileged.firstChange(parse(BASE), parse(next)).orElse("none");
    }

    @Test
    void operatorsEditsPass() throws ConfigException {
        // weights, servers, comments, a new virtual server, priorities
        var next = ("! edited by an operator\n" + BASE)
                .replace("weight 1", "weight 5")
                .replace("virtual_router_id 1", "virtual_router_id 1\n    priority 120")
                + "virtual_server 192.0.2.10 443 {\n    protocol TCP\n    real_server 198.51.100.2 443 {\n    }\n}\n";
        assertThat(change(next)).isEqualTo("none");
    }

    @Test
    void everyScriptNeedsAnAdministrator() throws ConfigException {
        assertThat(change(BASE.replace("master.sh", "evil.sh"))).isEqualTo("notify_master of vrrp_instance VI_1");
        assertThat(change(BASE.replace("    notify_master \"/etc/keepalived/master.sh\"\n", "")))
                .isEqualTo("notify_master of vrrp_instance VI_1");
        assertThat(change(BASE.replace("virtual_router_id 1", "virtual_router_id 1\n    notify_backup /bin/sh")))
                .isEqualTo("notify_backup of vrrp_instance VI_1");
        assertThat(change(BASE.replace("/usr/local/bin/check", "/bin/sh -c id"))).isEqualTo("vrrp_script chk");
        assertThat(change(BASE.replace("/usr/local/bin/probe", "/bin/sh")))
                .isEqualTo("misc_path of MISC_CHECK 1 of real_server 198.51.100.1:80 in virtual_server tcp/192.0.2.10:80");
        assertThat(change(BASE.replace("weight 1", "weight 1\n        notify_up /bin/sh")))
                .isEqualTo("notify_up of real_server 198.51.100.1:80 in virtual_server tcp/192.0.2.10:80");
        assertThat(change(BASE.replace("protocol TCP", "protocol TCP\n    quorum_up /bin/sh")))
                .isEqualTo("quorum_up of virtual_server tcp/192.0.2.10:80");
        assertThat(change("global_defs {\n    script_user root\n}\n" + BASE)).isEqualTo("global_defs");
        assertThat(change("global_defs {\n    router_id x\n}\n" + BASE)).isEqualTo("global_defs");
        // a new instance that brings its own notify is a script too
        assertThat(change(BASE + "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 2\n"
                + "    notify_fault /tmp/x\n}\n")).isEqualTo("notify_fault of vrrp_instance VI_2");
        assertThat(change(BASE + "vrrp_sync_group G {\n    group {\n        VI_1\n    }\n    notify /tmp/x\n}\n"))
                .isEqualTo("notify of vrrp_sync_group G");
    }
}
