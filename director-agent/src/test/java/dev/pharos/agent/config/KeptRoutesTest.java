package dev.pharos.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/// The addresses of the kept route and rule blocks, read as keepalived 2.2.7's `alloc_rule`
/// (vrrp_iprule.c) and `alloc_route` (vrrp_iproute.c) read them ([KeptRoutes]).
class KeptRoutesTest {

    private static List<String> errors(String text) {
        try {
            ConfigLoader.parse(Path.of("t.conf"), text, "");
            return List.of();
        } catch (ConfigException e) {
            return e.diagnostics().stream().filter(d -> d.toString().contains("error")).map(Diagnostic::toString).toList();
        }
    }

    @Test
    void validRulesAndRoutesPass() {
        assertThat(errors("""
                static_rules {
                    from 203.0.113.0/24 table 100 priority 100
                    from all to 2001:db8::/32 table 100 priority 101
                    not to default lookup 100 priority 102
                }
                static_routes {
                    198.51.100.0/24 via 192.0.2.254 dev eth1
                    to unreachable 203.0.113.0/24
                    blackhole 203.0.113.128/25 src 192.0.2.1
                    2001:db8:1::/48 via inet6 2001:db8::1 from 2001:db8::/32
                    default dev eth1 table 100
                    198.51.100.128/25 nexthop via 192.0.2.1 nexthop via 192.0.2.2
                }
                """)).isEmpty();
    }

    @Test
    void aRuleAddressKeepalivedCannotReadIsRefused() {
        assertThat(errors("static_rules {\n    to 203.0.113./24 table 1\n    from 203.0.113.0/33 table 1\n}\n"))
                .containsExactly("t.conf:2:8: error: rule to address '203.0.113./24' in static_rules is not an IPv4 or"
                                + " IPv6 address; keepalived 2.2.7 reports it and skips the whole line",
                        "t.conf:3:10: error: rule from address '203.0.113.0/33' in static_rules has an invalid prefix"
                                + " length (0–32); keepalived 2.2.7 reports it and uses /32");
    }

    @Test
    void aRouteAddressKeepalivedCannotReadIsRefused() {
        var text = """
                vrrp_instance VI_1 {
                    interface eth0
                    virtual_router_id 1
                    virtual_ipaddress {
                        192.0.2.10/24
                    }
                    virtual_routes {
                        198.51.100.0/24 via 192.0.2.300
                        198.51.100./24 dev eth0
                        203.0.113.0/24 src 192.0.2.1/24
                        to unreachable 203.0.113.256/25
                    }
                }
                """;
        assertThat(errors(text)).containsExactly(
                "t.conf:8:29: error: route via address '192.0.2.300' in virtual_routes is not an IPv4 or IPv6 address;"
                        + " keepalived 2.2.7 reports it and skips the whole line",
                "t.conf:9:9: error: route destination '198.51.100./24' in virtual_routes is not an IPv4 or IPv6"
                        + " address; keepalived 2.2.7 reports it and skips the whole line",
                "t.conf:10:28: error: route src address '192.0.2.1/24' in virtual_routes is not an IPv4 or IPv6"
                        + " address; keepalived 2.2.7 reports it and skips the whole line",
                "t.conf:11:24: error: route destination '203.0.113.256/25' in virtual_routes is not an IPv4 or IPv6"
                        + " address; keepalived 2.2.7 reports it and skips the whole line");
    }
}
