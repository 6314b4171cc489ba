package dev.pharos.agent.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pharos.testing.Netns;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/// An IPv6 pair in the lab: VRRPv3 from the directors' link-local addresses, the VIP on the
/// master, the clients' requests to the IPv6 VIP over `::1` answered by the lab's real servers at
/// their IPv6 addresses, and a crash moving the VIP to the backup. No root needed.
class LabIpv6Test {

    private static final InetAddress VIP = InetAddress.ofLiteral("2001:db8::100");

    private static String config(String state, int priority) {
        return """
                vrrp_instance VI_6 {
                    state %s
                    interface eth0
                    virtual_router_id 96
                    priority %d
                    advert_int 1
                    virtual_ipaddress {
                        2001:db8::100/64
                    }
                }
                virtual_server 2001:db8::100 80 {
                    delay_loop 2
                    lb_algo rr
                    lb_kind DR
                    protocol TCP
                    real_server 2001:db8::198:51:100:66 80 {
                        TCP_CHECK {
                            connect_timeout 2
                        }
                    }
                }
                """.formatted(state, priority);
    }

    @Test
    void anIpv6PairFailsOverAndItsTrafficFollows() throws Exception {
        var master = (Inet4Address) InetAddress.ofLiteral("192.0.2.1");
        var backup = (Inet4Address) InetAddress.ofLiteral("192.0.2.2");
        try (var lab = Lab.start(List.of(new Lab.DirectorDef("lvs-master", config("MASTER", 100), master),
                        new Lab.DirectorDef("lvs-backup", config("BACKUP", 98), backup)),
                List.of(new Lab.RealServerDef(InetAddress.ofLiteral("198.51.100.66"), "web-1")));
                var traffic = new LabTraffic(lab, List.of(), 0)) {
            var senders = ConcurrentHashMap.<String>newKeySet();
            lab.onAdvert(a -> senders.add(a.from() + " " + a.vrid() + " " + a.priority()));
            assertThat(Netns.await(Duration.ofSeconds(20), () -> lab.holders(VIP).equals(Set.of("lvs-master"))))
                    .as("the VIP on the master").isTrue();
            assertThat(Netns.await(Duration.ofSeconds(10), () -> senders.contains("lvs-master 96 100")))
                    .as("adverts from lvs-master's link-local address, fe80::192:0:2:1: %s", senders).isTrue();

            var target = new LabTraffic.Target(VIP, 80);
            assertThat(target).hasToString("[2001:db8::100]:80");
            assertThat(lab.route(VIP, 80)).hasValueSatisfying(r -> assertThat(r.getAddress()).isInstanceOf(Inet6Address.class));
            assertThat(Netns.await(Duration.ofSeconds(30), () -> traffic.once(target).ok()))
                    .as("web-1 answers at its IPv6 address through the IPv6 VIP").isTrue();
            var answer = traffic.once(target);
            assertThat(answer.director()).isEqualTo("lvs-master");
            assertThat(answer.answer()).isEqualTo("web-1");

            lab.killDirector("lvs-master");
            assertThat(Netns.await(Duration.ofSeconds(15), () -> lab.holders(VIP).equals(Set.of("lvs-backup"))))
                    .as("the backup takes the VIP after Master_Down_Interval").isTrue();
            assertThat(Netns.await(Duration.ofSeconds(30), () -> {
                var r = traffic.once(target);
                return r.ok() && r.director().equals("lvs-backup");
            })).as("the traffic follows").isTrue();
        }
    }
}
